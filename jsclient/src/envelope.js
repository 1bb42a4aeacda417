// Event data: ssekit envelopes, other JSON, plain text; and the reset event.

/** Name of the in-band event a server sends when it cannot resume from the id a client gave. */
export const RESET_EVENT = "ssekit.reset";

/**
 * Decodes one event's data. An ssekit envelope gives payload = envelope.data;
 * other JSON is delivered as parsed; text that is not JSON is delivered as the
 * string itself. Text that looks like JSON but does not parse is delivered as
 * the string and reported (error set).
 */
export function decodeData(data) {
  let value;
  try {
    value = JSON.parse(data);
  } catch (err) {
    const first = data.trimStart()[0];
    const looksJSON = first === "{" || first === "[" || first === '"';
    return { payload: data, envelope: null, error: looksJSON ? err : null };
  }
  if (isEnvelope(value)) return { payload: value.data, envelope: value, error: null };
  return { payload: value, envelope: null, error: null };
}

function isEnvelope(v) {
  return (
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.prototype.hasOwnProperty.call(v, "data") &&
    typeof v.id === "string" &&
    typeof v.event === "string"
  );
}

// IdWindow remembers the most recent `limit` envelope ids, to drop the
// overlap a resumed stream replays. A limit of 0 remembers nothing.
export class IdWindow {
  constructor(limit) {
    this.limit = limit;
    this.set = new Set();
  }
  // add returns false when the id was already there.
  add(id) {
    if (this.limit <= 0) return true;
    if (this.set.has(id)) return false;
    this.set.add(id);
    if (this.set.size > this.limit) this.set.delete(this.set.values().next().value);
    return true;
  }
}

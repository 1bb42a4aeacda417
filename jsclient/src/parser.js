// The text/event-stream parser used by the fetch transport.

/**
 * createParser returns a push parser for the text/event-stream format that
 * follows the WHATWG HTML "event stream interpretation" rules exactly: UTF-8
 * with one leading BOM dropped, lines ending in CRLF, LF or CR (also when a
 * CRLF is split across chunks), one space stripped after the colon, ids with
 * NUL ignored, retry only when all ASCII digits, the last event id kept when a
 * later event omits it and updated by id-only blocks, an unterminated final
 * block discarded.
 *
 * handlers: onEvent({type, data, lastEventId}), onRetry(ms), onComment(text).
 * feed(Uint8Array | string) pushes bytes; end() finishes the stream.
 */
export function createParser(handlers, initialLastEventId = "") {
  const decoder = new TextDecoder("utf-8");
  let buf = "";
  let skipLF = false; // last chunk ended in CR: a leading LF belongs to it
  let data = "";
  let hasData = false;
  let type = "";
  let idBuffer = initialLastEventId;
  let lastEventId = initialLastEventId;

  function line(l) {
    if (l === "") {
      lastEventId = idBuffer;
      if (!hasData) {
        type = "";
        return;
      }
      const ev = { type: type || "message", data, lastEventId };
      data = "";
      hasData = false;
      type = "";
      handlers.onEvent?.(ev);
      return;
    }
    if (l.charCodeAt(0) === 58 /* : */) {
      handlers.onComment?.(l.slice(1));
      return;
    }
    const colon = l.indexOf(":");
    let field = l;
    let value = "";
    if (colon >= 0) {
      field = l.slice(0, colon);
      value = l.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
    }
    switch (field) {
      case "event":
        type = value;
        break;
      case "data":
        data = hasData ? data + "\n" + value : value;
        hasData = true;
        break;
      case "id":
        if (!value.includes("\0")) idBuffer = value;
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) handlers.onRetry?.(parseInt(value, 10));
        break;
      default:
      // unknown fields are ignored
    }
  }

  function push(text) {
    let start = 0;
    if (skipLF && text.length > 0) {
      if (text.charCodeAt(0) === 10) start = 1;
      skipLF = false;
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      line(buf + text.slice(start, i));
      buf = "";
      if (c === 13) {
        if (i + 1 === text.length) skipLF = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    buf += text.slice(start);
  }

  return {
    feed(chunk) {
      push(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    },
    end() {
      push(decoder.decode());
      buf = ""; // an unterminated final block is discarded, with its id
      data = "";
      hasData = false;
      type = "";
      idBuffer = lastEventId;
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}

// The dashboard page (examples/dashboard, served at / by the example) in real
// chromium: it connects, shows state and stats, publishes a test event
// through the broadcast endpoint, and shows that event arriving with its
// envelope. Saves a screenshot to jsclient/test-results/dashboard.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { suite, TIMEOUT } from "./harness.js";

const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test-results");
const env = suite();

test("dashboard: publishes a test event and shows it arriving live, with state and stats", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 860 } });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(env.server.base + "/?topics=dash,demo&meta=tenant%3Dacme");
    const state = page.locator("#state");
    await state.filter({ hasText: "open" }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator("#transport-used").textContent(), "fetch");
    assert.equal(await page.locator("#url").textContent(), "GET /events?topic=dash&topic=demo&tenant=acme");

    // Stats show this page's connection on its topics.
    await page.locator("#stats-topics tr", { hasText: "dash" }).waitFor({ timeout: TIMEOUT });
    assert.ok(Number(await page.locator("#stats-connections").textContent()) >= 1);

    // A wrong token is refused and said so.
    await page.fill("#token", "wrong");
    await page.click("#publish");
    await page.locator("#pub-result.bad", { hasText: "401" }).or(page.locator("#pub-result.bad", { hasText: "403" })).waitFor({ timeout: TIMEOUT });

    // The right token publishes; the event appears with its envelope.
    await page.fill("#token", env.server.token);
    await page.fill("#pub-event", "dashboard.test");
    await page.fill("#pub-topic", "dash");
    await page.fill("#pub-filter", "tenant=acme");
    await page.fill("#pub-data", '{"message": "hello from the browser test", "n": 7}');
    await page.click("#publish");
    const result = page.locator("#pub-result.good");
    await result.waitFor({ timeout: TIMEOUT });
    const id = (await result.textContent()).match(/published (\S+)/)?.[1];
    assert.ok(id, "the broadcast answered with an id");
    const item = page.locator(`#events li[data-event="dashboard.test"][data-id="${id}"]`);
    await item.waitFor({ timeout: TIMEOUT });
    assert.match(await item.locator(".payload").textContent(), /hello from the browser test/);
    assert.equal(await item.locator(".tag").textContent(), "dash");
    await item.locator("summary").click();
    const envelope = JSON.parse(await item.locator("pre").textContent());
    assert.equal(envelope.id, id);
    assert.equal(envelope.event, "dashboard.test");
    assert.deepEqual(envelope.data, { message: "hello from the browser test", n: 7 });
    assert.equal(envelope.meta.topic, "dash");
    // The header shows the id of the newest event (the demo clock may have ticked since).
    const [lastId, newest] = await page.evaluate(() => [document.getElementById("last-id").textContent, document.querySelector("#events li")?.dataset.id]);
    assert.equal(lastId, newest);

    // A published event also reaches the page when sent from outside.
    const outside = await env.server.publish({ event: "from.outside", topic: "dash", data: { ok: true } });
    await page.locator(`#events li[data-event="from.outside"][data-id="${outside}"]`).waitFor({ timeout: TIMEOUT });

    // Dropping the streams shows a reconnect.
    await page.click("#drop");
    await page.locator("#reconnects", { hasText: "1" }).waitFor({ timeout: TIMEOUT });
    await state.filter({ hasText: "open" }).waitFor({ timeout: TIMEOUT });
    await page.locator("#log li.error", { hasText: "network" }).first().waitFor({ timeout: TIMEOUT });
    await page.waitForFunction(() => Number(document.getElementById("stats-connections").textContent) >= 1, null, { timeout: TIMEOUT });

    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, "dashboard.png"), fullPage: true });
    assert.deepEqual(errors, [], "no uncaught errors in the page");
  } finally {
    await context.close();
  }
});

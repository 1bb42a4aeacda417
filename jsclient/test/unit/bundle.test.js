// client.js, the file the Go package serves and npm publishes, is the bundle
// of src/: it must be fresh, export what src/index.js exports, and stay safe
// to import where there is no browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { bundle } from "../../scripts/bundle.js";
import * as entry from "../../src/index.js";

const clientURL = new URL("../../client.js", import.meta.url);

test("client.js is the bundle of src/ (run `npm run build` after editing src/)", () => {
  assert.ok(readFileSync(clientURL, "utf8") === bundle(), "client.js is stale: run `npm run build` in jsclient/");
});

test("client.js exports exactly what src/index.js exports", async () => {
  const client = await import(clientURL.href);
  assert.deepEqual(Object.keys(client).sort(), Object.keys(entry).sort());
  assert.equal(client.RESET_EVENT, entry.RESET_EVENT);
});

test("importing client.js touches no window, document or navigator", async () => {
  const names = ["window", "document", "navigator", "EventSource", "BroadcastChannel"];
  const saved = names.map((n) => Object.getOwnPropertyDescriptor(globalThis, n));
  const touched = [];
  try {
    for (const n of names) {
      Object.defineProperty(globalThis, n, { configurable: true, get: () => touched.push(n) });
    }
    await import(clientURL.href + "?fresh=" + Date.now());
  } finally {
    names.forEach((n, i) => {
      if (saved[i]) Object.defineProperty(globalThis, n, saved[i]);
      else delete globalThis[n];
    });
  }
  assert.deepEqual(touched, []);
});

// bundleOf bundles a throwaway src/ made of the given files.
function bundleOf(files) {
  const dir = mkdtempSync(join(tmpdir(), "ssekit-bundle-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return bundle(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("bundle: modules in dependency order, export kept only on the public names", () => {
  const out = bundleOf({
    "index.js": '// head\nexport { b } from "./b.js";\n',
    "b.js": 'import { a } from "./a.js";\nexport function b() {\n  return a;\n}\n',
    "a.js": "export const a = 1;\n",
  });
  assert.match(out, /^\/\/ head\n/);
  assert.ok(out.indexOf("const a = 1;") < out.indexOf("export function b()"), out);
  assert.doesNotMatch(out, /export const a/);
  assert.doesNotMatch(out, /^import /m);
});

test("bundle: refuses what it cannot bundle faithfully", () => {
  const cases = {
    "renamed import": [/unsupported import\/export name/, { "index.js": 'export { b } from "./b.js";\n', "b.js": 'import { a as c } from "./a.js";\nexport const b = c;\n', "a.js": "export const a = 1;\n" }],
    "import of a name not exported": [/does not export/, { "index.js": 'export { b } from "./b.js";\n', "b.js": 'import { a } from "./a.js";\nexport const b = a;\n', "a.js": "const a = 1;\n" }],
    "a top-level name in two modules": [/declared in both/, { "index.js": 'export { b } from "./b.js";\n', "b.js": 'import { a } from "./a.js";\nconst x = 2;\nexport const b = a + x;\n', "a.js": "const x = 1;\nexport const a = x;\n" }],
    "an import cycle": [/import cycle/, { "index.js": 'export { b } from "./b.js";\n', "b.js": 'import { a } from "./a.js";\nexport const b = 1;\n', "a.js": 'import { b } from "./b.js";\nexport const a = 1;\n' }],
    "a default export": [/unsupported export/, { "index.js": 'export { b } from "./b.js";\n', "b.js": "export const b = 1;\nexport default b;\n" }],
    "a namespace import": [/unsupported import/, { "index.js": 'export { b } from "./b.js";\n', "b.js": 'import * as a from "./a.js";\nexport const b = a;\n', "a.js": "export const a = 1;\n" }],
  };
  for (const [what, [re, files]] of Object.entries(cases)) assert.throws(() => bundleOf(files), re, what);
});

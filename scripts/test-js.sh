#!/usr/bin/env bash
# Runs every suite of the browser client (jsclient/): node unit tests, the
# .d.ts check, and the integration tests in headless Debian chromium driven
# by playwright-core against the real example server (go run ./examples/nethttp).
# Installs what is missing: chromium (apt) and the npm dev dependencies.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/ensure-chromium.sh"
cd "$root/jsclient"
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/typescript ]; then
  echo "test-js: installing npm dev dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "== jsclient: unit tests"
node --test test/unit/*.test.js
echo "== jsclient: types"
node_modules/.bin/tsc -p test/types
echo "== jsclient: browser tests (chromium)"
node --test --test-concurrency=1 test/browser/*.test.js

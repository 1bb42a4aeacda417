#!/usr/bin/env bash
# Installs Debian's chromium (/usr/bin/chromium) for the browser tests of
# jsclient when it is missing. Playwright never downloads a browser here.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
echo "ensure-chromium: installing Debian's chromium"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version

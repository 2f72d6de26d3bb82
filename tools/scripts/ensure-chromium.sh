#!/usr/bin/env bash
# The admin console's browser tests drive Debian's Chromium through playwright-core (browser
# downloads do not work here). CI runs this before `npm test`; it installs the package if missing.
set -euo pipefail

CHROMIUM="${MXS_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo -n)
  echo "ensure-chromium: installing Debian's chromium"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
[ -x "$CHROMIUM" ] || { echo "ensure-chromium: no Chromium at $CHROMIUM; install it (Debian: apt-get install chromium) or set MXS_CHROMIUM" >&2; exit 1; }
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null | head -n 1)"

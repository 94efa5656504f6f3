#!/usr/bin/env bash
# Makes sure a real VS Code is here to test and run the extension in, with Debian's Chromium to drive it:
# code-server 4.100.3 (VS Code 1.100.3, the newest whose engine is Node 20), installed into .cache/vscode-host. Its own install scripts fetch from
# outside the package registries, so it is installed in steps (see shared/vscode-web-host.md). Idempotent:
# does nothing when the host is already there. Prints the code-server path.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
HOST="${GRADSCOPE_VSCODE_HOST:-$repo/.cache/vscode-host}"
BIN="$HOST/node_modules/.bin/code-server"
# Debian's packages first: Chromium (the browser tests and the VS Code tests drive it) is needed even when the
# host is already here.
need=()
for pkg in libkrb5-dev ripgrep chromium pkg-config; do
  # Installed, not merely known (a removed package keeps its configuration and a dpkg status).
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$HOST"
cd "$HOST"
[ -f package.json ] || printf '{ "name": "gradscope-vscode-host", "private": true }\n' > package.json
npm install --ignore-scripts --no-audit --no-fund code-server@4.100.3 >&2
npm_config_yes=true npm rebuild argon2 >&2
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund >&2
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm_config_yes=true npm rebuild --omit=dev >&2
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --no-audit --no-fund >&2)
"$BIN" --version >&2
echo "$BIN"

#!/usr/bin/env bash
# Makes the librdkafka engine's native client (@confluentinc/kafka-javascript,
# an optionalDependency) load in this checkout, on a machine that cannot reach
# GitHub, where npm's usual path fails quietly: its install script first fetches
# a prebuilt binary from GitHub releases, then falls back to a static build that
# downloads zlib/OpenSSL/zstd/curl sources.
#
# What works instead: build the librdkafka sources shipped inside the npm package,
# linked against the distribution's libraries (CKJS_LINKING=dynamic). Nothing is
# fetched but npm packages and apt packages. About 2-5 minutes on 2 cores.
#
#   scripts/install-librdkafka.sh          install what is missing, then check it loads
#   scripts/install-librdkafka.sh --deps   only install the apt packages it builds against
#   scripts/install-librdkafka.sh --check  only check that it loads (exit 1 if not)
#
# Idempotent: when the module already loads it only says so.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGE=@confluentinc/kafka-javascript
# Headers and libraries the bundled librdkafka links against, and the compiler, make and python3 that
# node-gyp builds with (Debian/Ubuntu names; most machines have the last two already).
APT_PACKAGES=(libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev build-essential python3)

log() { printf '[librdkafka] %s\n' "$*" >&2; }

loads() {
  node -e "const k = require('$PACKAGE'); console.log('librdkafka ' + k.librdkafkaVersion + ' loads (' + k.features.join(',') + ')')" 2>/dev/null
}

install_deps() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} > 0)) || return 0
  command -v apt-get >/dev/null || { log "error: install the development packages of: ${APT_PACKAGES[*]}"; exit 1; }
  local sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo)
  log "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [[ "${1:-}" == "--deps" ]]; then
  install_deps
  exit 0
fi
if loads; then exit 0; fi
if [[ "${1:-}" == "--check" ]]; then
  log "error: $PACKAGE does not load; run scripts/install-librdkafka.sh"
  exit 1
fi
install_deps

export CKJS_LINKING=dynamic
# node-gyp needs Node's headers; it downloads them from nodejs.org unless it is
# pointed at an install that has them (Debian's and NodeSource's nodejs do).
node_prefix="$(dirname "$(dirname "$(node -p process.execPath)")")"
if [[ -z "${npm_config_nodedir:-}" && -f "$node_prefix/include/node/node.h" ]]; then
  export npm_config_nodedir="$node_prefix"
fi

log "building $PACKAGE against the system libraries (CKJS_LINKING=dynamic)"
if [[ -d "node_modules/$PACKAGE" ]]; then
  npm rebuild "$PACKAGE"
else
  # A failed optional dependency is removed; installing from the lockfile brings it back.
  npm install --no-audit --no-fund --no-save
fi

loads || { log "error: $PACKAGE still does not load after building it"; exit 1; }

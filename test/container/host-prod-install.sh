#!/usr/bin/env bash
# Host-side production-install check, the cheap cousin of smoke.sh: installs only the production
# dependencies next to the built dist/ in a temporary folder (what the image's runtime stage
# holds), then runs the exporter in demo mode from there. A runtime import of a dev dependency
# (typescript, tsx, ajv, ...) or of a file outside dist/ fails here at once.
#
#   test/container/host-prod-install.sh             # npm run build first, then check
#   test/container/host-prod-install.sh --no-build  # use the dist/ already built
#
# Environment: HOST_PROD_TIMEOUT seconds to wait for demo data on /metrics (default 90).
# Needs the npm registry (or npm's cache) for `npm ci --omit=dev`. Talks only to 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TIMEOUT=${HOST_PROD_TIMEOUT:-90}
BUILD=true
[[ ${1:-} == --no-build ]] && BUILD=false

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wie-prod-install.XXXXXX")
PID=""
# shellcheck source=test/container/lib.sh
source "$ROOT/test/container/lib.sh"

cleanup() {
  local rc=$?
  if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
  if ((failed > 0 || rc != 0)) && [[ -f $TMP/exporter.log ]]; then
    echo "--- exporter log (last 40 lines) ---"
    tail -n 40 "$TMP/exporter.log"
  fi
  rm -rf "$TMP"
  echo "$passed passed, $failed failed"
  if ((failed > 0 && rc == 0)); then rc=1; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if $BUILD; then
  echo "# npm run build"
  (cd "$ROOT" && npm run build --silent)
fi
if [[ ! -f $ROOT/dist/src/cli.js ]]; then
  not_ok "dist/src/cli.js exists (run npm run build)"
  exit 1
fi

echo "# installing production dependencies in $TMP"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$TMP/"
mkdir -p "$TMP/dist" && cp -R "$ROOT/dist/src" "$TMP/dist/src"
if (cd "$TMP" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >"$TMP/npm.log" 2>&1); then
  ok "npm ci --omit=dev"
else
  cat "$TMP/npm.log"
  not_ok "npm ci --omit=dev"
  exit 1
fi
check "no dev dependency installed (typescript, mocha, tsx absent)" \
  test ! -e "$TMP/node_modules/typescript" -a ! -e "$TMP/node_modules/mocha" -a ! -e "$TMP/node_modules/tsx"

# npm run build recorded the checkout's branch and revision (scripts/build-info.ts), as promu does.
revision=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || true)
if [[ -n $revision ]]; then
  branch=$(git -C "$ROOT" rev-parse --abbrev-ref HEAD)
  version_text=$(cd "$TMP" && env -u WECHAT_EXPORTER_REVISION -u WECHAT_EXPORTER_BRANCH node dist/src/cli.js --version)
  check "--version names the checkout (branch: $branch, revision: $revision)" \
    grep -qF "(branch: $branch, revision: $revision)" <<<"$version_text"
  check "--version has a build date (YYYYMMDD-HH:MM:SS)" grep -qE '^  build date: +[0-9]{8}-[0-9]{2}:[0-9]{2}:[0-9]{2}$' <<<"$version_text"
else
  echo "# not a git checkout: the recorded revision is not checked"
fi

port=$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
base="http://127.0.0.1:$port"
echo "# starting the exporter in demo mode on $base"
(cd "$TMP" && NODE_ENV=production exec node dist/src/cli.js --demo --web.listen-address="127.0.0.1:$port" \
  --storage.path="$TMP/demo.db" --log.format=text) >"$TMP/exporter.log" 2>&1 &
PID=$!

exporter_alive() { kill -0 "$PID" 2>/dev/null; }
waited=0
wait_for_demo_data "$base" "$TIMEOUT" exporter_alive || waited=$?
if ((waited == 2)); then
  wait "$PID" && code=0 || code=$?
  PID=""
  not_ok "exporter exited before serving data (exit code $code)"
  exit 1
fi
check "/metrics has wechat_interface_day_callbacks samples within ${TIMEOUT}s" \
  grep -q '^wechat_interface_day_callbacks{' <<<"$metrics"
check "GET /-/ready is 200" curl -fsS --max-time 5 -o /dev/null "$base/-/ready"
if [[ -n $revision ]]; then
  check "wechat_exporter_build_info has revision=\"$revision\"" \
    grep -qE "^wechat_exporter_build_info\\{.*revision=\"$revision\"" <<<"$metrics"
fi
check "the store was created at --storage.path" test -f "$TMP/demo.db"

echo "# sending SIGTERM"
kill -TERM "$PID"
code=""
for _ in $(seq 1 100); do  # up to 10 s
  if ! kill -0 "$PID" 2>/dev/null; then
    wait "$PID" && code=0 || code=$?
    break
  fi
  sleep 0.1
done
if [[ -z $code ]]; then
  not_ok "exporter exits within 10 s of SIGTERM"
else
  PID=""
  ok "exporter exits within 10 s of SIGTERM"
  check "exit code after SIGTERM is 0 (got $code)" test "$code" = 0
fi

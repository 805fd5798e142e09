# Sourced by smoke.sh and host-prod-install.sh: TAP-like checks, and the wait for demo data.
# shellcheck shell=bash

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
not_ok() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

# fetch_url URL: the body of URL from this host, or nothing.
fetch_url() { curl -fsS --max-time 5 "$1" 2>/dev/null || true; }

# wait_for_demo_data BASE_URL TIMEOUT_S ALIVE_COMMAND...
# Polls BASE_URL/metrics every second until it has wechat_interface_day_callbacks samples, leaving
# the last body in $metrics. Returns 0 when the data is there, 1 after TIMEOUT_S, 2 as soon as
# ALIVE_COMMAND says the exporter is gone. $FETCH names the command that gets a URL (default
# fetch_url; smoke.sh's kube play part fetches from inside the pod, which publishes no port).
wait_for_demo_data() {
  local base=$1 timeout=$2
  shift 2
  local deadline=$(($(date +%s) + timeout))
  metrics=""
  while :; do
    "$@" || return 2
    metrics=$("${FETCH:-fetch_url}" "$base/metrics")
    if grep -q '^wechat_interface_day_callbacks{' <<<"$metrics"; then return 0; fi
    if (($(date +%s) >= deadline)); then return 1; fi
    sleep 1
  done
}

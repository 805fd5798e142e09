#!/usr/bin/env bash
# Copies the single sources of truth of the alerting rules and the Grafana dashboard into the Helm
# chart, which can only package files inside its own folder:
#   prometheus/wechat-interface-exporter.rules.yml -> helm/wechat-interface-exporter/files/
#   grafana/wechat-interface-exporter.json         -> helm/wechat-interface-exporter/files/
# Edit the top-level files, never the chart copies; test/helm/chart.test.ts fails while they differ.
#   scripts/sync-chart-files.sh          copy
#   scripts/sync-chart-files.sh --check  only report; exit 1 when a copy differs
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=$ROOT/helm/wechat-interface-exporter/files
CHECK=false
[[ ${1:-} == --check ]] && CHECK=true

status=0
for src in prometheus/wechat-interface-exporter.rules.yml grafana/wechat-interface-exporter.json; do
  dst=$DEST/$(basename "$src")
  if [[ ! -f $ROOT/$src ]]; then
    echo "skip: $src does not exist (the chart keeps its placeholder)" >&2
    continue
  fi
  if cmp -s "$ROOT/$src" "$dst"; then
    echo "up to date: ${dst#"$ROOT"/}"
  elif $CHECK; then
    echo "differs: ${dst#"$ROOT"/} (run scripts/sync-chart-files.sh)" >&2
    status=1
  else
    cp "$ROOT/$src" "$dst"
    echo "copied: $src -> ${dst#"$ROOT"/}"
  fi
done
exit "$status"

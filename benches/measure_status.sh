#!/usr/bin/env bash
# End-to-end time of `devguide checklist status` on a team repository whose migration
# log holds 10,000 events (50 rounds of ticking and unticking 100 items), measured with
# hyperfine over repeated runs of the release binary. Prints the median.
#
#     cargo build --release && benches/measure_status.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${DEVGUIDE_BIN:-$root/target/release/devguide}"  # DEVGUIDE_BIN measures another build
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
mkdir -p -- "$work/repo" "$work/guides" "$work/xdg"
{
  echo "# Upgrade"
  echo
  for i in $(seq 1 100); do echo "- [ ] Step number $i"; done
} > "$work/guides/upgrade.md"
export XDG_STATE_HOME="$work/xdg" HOME="$work" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset DEVGUIDE_STATE
cd -- "$work/repo"
dg() { "$bin" checklist "$@" --dir "$work/guides"; }
dg init --here > /dev/null
dg new mig > /dev/null
items=$(seq 1 100)
for round in $(seq 1 50); do
  # shellcheck disable=SC2086
  dg tick mig $items > /dev/null
  # shellcheck disable=SC2086
  dg untick mig $items > /dev/null
done
events=$(($(wc -l < "$(find .devguide/state.json.d -name 'mig.json')") - 1))
echo "events in the log: $events"
hyperfine --warmup 3 --runs 50 -N -i --export-json "$work/status.json" \
  "$bin checklist status mig --dir $work/guides" > /dev/null
python3 - "$work/status.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"checklist status, 10,000 events: median {r['median'] * 1000:.2f} ms "
      f"(min {r['min'] * 1000:.2f}, max {r['max'] * 1000:.2f}, {len(r['times'])} runs; "
      f"CPU per run: user {r['user'] * 1000:.2f} ms, system {r['system'] * 1000:.2f} ms)")
PY

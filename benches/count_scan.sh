#!/bin/sh
# Instructions `devguide scan` executes in user space on the 10,000-file fixture tree of
# measure_scan.py, counted by valgrind's callgrind: unlike wall or CPU time, the count
# does not move when other work shares the machine, so it compares two builds on a busy
# machine. Needs valgrind.
#
#     cargo build --release && sh benches/count_scan.sh
#     DEVGUIDE_BIN=/path/to/other/devguide sh benches/count_scan.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DEVGUIDE_BIN:-$root/target/release/devguide}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c "
import sys
sys.path.insert(0, '$root/benches')
import measure_scan
measure_scan.fixture_tree('$tmp/tree')
"
valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" \
    "$bin" scan "$tmp/tree" 2>&1 >/dev/null | sed -n 's/.*Collected : /instructions: /p'

#!/usr/bin/env python3
"""End to end: `devguide lookup WebSocketManager` from process start to exit, on the
bundled set, release build. Budget: under 10 ms. Prints the median of 30 runs (after 3
warm-up runs), plus `devguide search` for comparison."""

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "devguide"


def median_ms(args, runs=30):
    for _ in range(3):
        subprocess.run([BIN, *args], stdout=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([BIN, *args], stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    if not BIN.exists():
        sys.exit("build first: cargo build --release")
    for args in (["lookup", "WebSocketManager"], ["search", "websocketmanager"]):
        print(f"devguide {' '.join(args)}: median {median_ms(args):.2f} ms (30 runs)")


if __name__ == "__main__":
    main()

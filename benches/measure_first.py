#!/usr/bin/env python3
"""First frame of one large file named on the command line, at 2, 8 and 64 MB (the
CommonMark spec repeated 10, 40 and 320 times), in a 120x40 pseudo-terminal, and peak
memory once the whole file is read and parsed (nothing else done), per byte of markdown.

    cargo build --release
    python3 benches/measure_first.py

The first frame is the time from start to the status line's `quit` hint, as in
`measure.py`. The process is then left until its output goes quiet (the whole read,
parsed and laid out in idle time) before its peak memory (VmHWM) is read; it is ended
with SIGTERM, since a key pressed before the whole arrives waits for it.
"""
import os
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

RUNS = 5


def once(path):
    t0 = time.monotonic()
    pid, fd = measure.spawn([path])
    measure.read_until(fd, b"quit", b"")
    first = (time.monotonic() - t0) * 1000
    measure.last_byte_before_quiet(fd, quiet=1.0, limit=30.0)
    peak = measure.peak_mb(pid)
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    return first, peak


def main():
    print(f"{'document':<26}{'size':>9}{'first frame':>14}{'peak':>10}{'B/B':>7}")
    for n in (10, 40, 320):
        path = measure.spec_times(n)
        # The 64 MB file takes seconds to settle: fewer runs.
        runs = [once(path) for _ in range(RUNS if n < 100 else 3)]
        first = statistics.median(r[0] for r in runs)
        peak = statistics.median(r[1] for r in runs)
        size = os.path.getsize(path)
        print(
            f"{'spec x' + str(n):<26}{size / 1048576:6.1f} MB{first:11.1f} ms"
            f"{peak:7.1f} MB{peak * 1048576 / size:7.1f}"
        )


if __name__ == "__main__":
    main()

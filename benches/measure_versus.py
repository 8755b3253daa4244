#!/usr/bin/env python3
"""devguide beside another terminal markdown reader, in one run: first frame, resize at
the end of the document, and peak memory, for the 98k- and 392k-line documents of
`measure.py growth`. Runs are interleaved (devguide, the other, devguide, ...) so load on
the machine falls on both alike; figures are medians.

    cargo build --release
    TREEMD=/path/to/treemd python3 benches/measure_versus.py

The other reader is treemd (`cargo install treemd`), found through $TREEMD or on PATH.
Each reader is driven the same way in a 120x40 pseudo-terminal: started on the file,
timed to its first full screen (its status line drawn), left to go idle, sent `G`,
then narrowed to 100 columns and widened back (time to a settled screen, median of the
two), and its peak resident memory (VmHWM) read before it quits.
"""
import os
import shutil
import statistics
import struct
import sys
import time
import fcntl
import pty
import termios

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402  (the shared pseudo-terminal helpers)

RUNS = int(os.environ.get("RUNS", "5"))

_answer = measure.answer_queries


def answer_queries(fd, chunk):
    """As measure.py's terminal, and also answers what treemd asks at start-up, as a
    local terminal does at once: the cursor position, the cell size in pixels and the
    device status (its graphics query, which such a terminal ignores, ends with the
    device-attributes query that measure.py answers)."""
    _answer(fd, chunk)
    if b"\x1b[6n" in chunk:
        os.write(fd, b"\x1b[1;1R")
    if b"\x1b[16t" in chunk:
        os.write(fd, b"\x1b[6;16;8t")
    if b"\x1b[5n" in chunk:
        os.write(fd, b"\x1b[0n")


measure.answer_queries = answer_queries


def spawn(argv):
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        os.environ["DEVGUIDE_STATE"] = measure.STATE
        os.execv(argv[0], argv)
    return pid, fd


def resize(pid, fd, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
    os.kill(pid, 28)  # SIGWINCH


def once(argv, marker, quit_keys):
    for leftover in (measure.STATE, measure.STATE + ".lock"):
        if os.path.exists(leftover):
            os.remove(leftover)
    t0 = time.monotonic()
    pid, fd = spawn(argv)
    measure.read_until(fd, marker, b"")
    first = (time.monotonic() - t0) * 1000
    measure.last_byte_before_quiet(fd)
    measure.wait_idle(pid, fd)
    os.write(fd, b"G")
    measure.last_byte_before_quiet(fd)
    measure.wait_idle(pid, fd)
    narrow = measure.settle_after(fd, action=lambda: resize(pid, fd, 100), expect=marker)
    measure.wait_idle(pid, fd)
    widen = measure.settle_after(fd, action=lambda: resize(pid, fd, 120), expect=marker)
    measure.wait_idle(pid, fd)
    peak = measure.peak_mb(pid)
    os.write(fd, quit_keys)
    try:
        # A reader that does not quit on its key is ended, not waited on.
        for _ in range(50):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.02)
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return first, statistics.median([narrow, widen]), peak


def main():
    other = os.environ.get("TREEMD") or shutil.which("treemd")
    if not other:
        print("treemd not found: set TREEMD or put it on PATH", file=sys.stderr)
        return 2
    readers = [
        ("devguide", lambda p: [measure.BINARY, p], b"quit", b"q"),
        ("treemd", lambda p: [other, p], b"NORMAL", b"q"),
    ]
    print(f"{'document':<24}{'reader':<10}{'first frame':>12}{'resize':>10}{'peak':>10}{'B/B':>7}")
    for n, label in [(10, "spec x10 (98k lines)"), (40, "spec x40 (392k lines)")]:
        path = measure.spec_times(n)
        runs = {name: [] for name, *_ in readers}
        for _ in range(RUNS):
            for name, argv, marker, keys in readers:
                runs[name].append(once(argv(path), marker, keys))
        for name, *_ in readers:
            med = [statistics.median(r[i] for r in runs[name]) for i in range(3)]
            per_byte = med[2] * 1024 * 1024 / os.path.getsize(path)
            print(
                f"{label:<24}{name:<10}{med[0]:9.1f} ms{med[1]:7.1f} ms"
                f"{med[2]:7.1f} MB{per_byte:7.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

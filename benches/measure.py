#!/usr/bin/env python3
"""End-to-end figures for the real binary in a pseudo-terminal (120x40).

The script answers the terminal queries devguide makes at start-up (background colour,
device attributes) at once, as a local terminal does.

For each document: time from process start to the first complete frame (the status bar
is drawn last, so its key hints mark a finished frame); once the reader is idle, time for
`G` to be redrawn and to settle; and the process's peak resident memory (VmHWM).
Prints medians over several runs.

    cargo build --release && python3 benches/measure.py
"""
import os
import pty
import select
import statistics
import struct
import sys
import time
import fcntl
import termios

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "devguide")
SPEC = os.path.join(ROOT, "..", "shared", "corpus", "commonmark-spec-0.31.2.txt")
RUNS = 9


def answer_queries(fd, chunk):
    """Reply as a dark-background terminal does: to the background-colour query (OSC 11)
    and to the device-attributes query (DA1) that follows it."""
    if b"\x1b]11;?" in chunk:
        os.write(fd, b"\x1b]11;rgb:1e1e/1e1e/1e1e\x07")
    if b"\x1b[c" in chunk:
        os.write(fd, b"\x1b[?64;1;22c")


def read_until(fd, needle, seen, deadline=20.0):
    start = time.monotonic()
    while needle not in seen:
        left = deadline - (time.monotonic() - start)
        if left <= 0:
            raise TimeoutError(f"never saw {needle!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            answer_queries(fd, chunk)
            seen += chunk
    return seen


def last_byte_before_quiet(fd, quiet=0.3):
    last = time.monotonic()
    while True:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            return last
        os.read(fd, 65536)
        last = time.monotonic()


def once(args):
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        os.environ["DEVGUIDE_STATE"] = os.path.join("/tmp", "devguide-measure-state.json")
        os.execv(BINARY, [BINARY] + args)
    seen = read_until(fd, b"quit", b"")
    first = time.monotonic() - t0
    # Let background layout and highlighting finish, as they do while a person reads.
    last_byte_before_quiet(fd)
    # A frame is flushed in one write, so its first byte marks the redraw; the output
    # going quiet marks the screen settled (syntax highlighting arrives a little later).
    t1 = time.monotonic()
    os.write(fd, b"G")
    select.select([fd], [], [], 20)
    redraw = time.monotonic() - t1
    settled = last_byte_before_quiet(fd) - t1
    with open(f"/proc/{pid}/status") as f:
        hwm = next(int(l.split()[1]) for l in f if l.startswith("VmHWM"))
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    os.close(fd)
    return first * 1000, redraw * 1000, settled * 1000, hwm / 1024


def report(name, args):
    runs = [once(args) for _ in range(RUNS)]
    med = [statistics.median(r[i] for r in runs) for i in range(4)]
    print(
        f"{name:<18} first frame {med[0]:5.1f} ms   G redraw {med[1]:5.1f} ms"
        f" (settled {med[2]:5.1f} ms)   peak RSS {med[3]:5.1f} MB"
    )


def main():
    if not os.path.exists(BINARY):
        sys.exit("build first: cargo build --release")
    report("bundled set", [])
    if os.path.exists(SPEC):
        big = "/tmp/devguide-large.md"
        with open(SPEC) as f, open(big, "w") as out:
            out.write(f.read() * 10)
        report("spec x10 (2 MB)", [big])


if __name__ == "__main__":
    main()

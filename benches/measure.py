#!/usr/bin/env python3
"""End-to-end figures for the real binary in a pseudo-terminal (120x40), one command
per figure. Prints medians over several runs.

The script answers the terminal queries devguide makes at start-up (background colour,
device attributes) at once, as a local terminal does.

    cargo build --release
    python3 benches/measure.py            # bundled set and spec x10: first frame, G, memory
    python3 benches/measure.py growth     # the growth table: 98k and 392k lines
    python3 benches/measure.py sets       # --dir sets of 1,081 and 10,000 files: first
                                          # frame, slowest key while background work runs,
                                          # memory after the finder
    python3 benches/measure.py cli        # search / list / show against rg (and mdcat)
    python3 benches/measure.py show       # show of spec x10 (2 MB) against mdcat, alone

`show`, for spec x10 at 120 columns: devguide `show --width 120` against
`mdcat --no-pager --columns 120` (from $MDCAT, else PATH), interleaved runs, output to
/dev/null and to a file; medians and the median of the per-pair ratios (below 1:
devguide is faster), and the CPU time each used (all threads). Without mdcat, devguide's
median alone.

`growth`, for spec x10 (98k lines, 2 MB) and spec x40 (392k lines, 8 MB): first frame;
`/` search per keystroke (each letter of a query typed into the open search, time to a
settled screen); resize at the last line (the window narrowed and widened again, time
to a settled screen), and the CPU time a resize uses in all, the rest of the layout done
in idle time included;
peak memory in bytes per byte of markdown, after `G`, a search and a resize.

"Settled" is the last byte written before the output goes quiet for 0.3 s, so a figure
includes every frame the change caused, not only the first.
"""
import os
import pty
import shutil
import subprocess
import select
import statistics
import struct
import sys
import time
import fcntl
import resource
import termios

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# DEVGUIDE_BIN measures another build (an older one, for before/after figures).
BINARY = os.environ.get("DEVGUIDE_BIN") or os.path.join(ROOT, "target", "release", "devguide")
# The shared corpus sits beside the checkout (or beside the folder of worktrees).
SPEC = next(
    (
        p
        for p in (
            os.path.join(ROOT, up, "shared", "corpus", "commonmark-spec-0.31.2.txt")
            for up in ("..", os.path.join("..", ".."))
        )
        if os.path.exists(p)
    ),
    os.path.join(ROOT, "..", "shared", "corpus", "commonmark-spec-0.31.2.txt"),
)
RUNS = 9
# The state file of measured runs, kept apart from the user's.
STATE = os.path.join("/tmp", "devguide-measure-state.json")


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


def last_byte_before_quiet(fd, quiet=0.3, limit=5.0):
    """The time of the last byte before `quiet` seconds without output; a screen that
    keeps changing (a progress line) ends the wait after `limit` seconds."""
    last = time.monotonic()
    start = last
    while last - start < limit:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            return last
        os.read(fd, 65536)
        last = time.monotonic()
    return last


def cpu_ticks(pid):
    """User and system CPU time the process has used, in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_idle(pid, fd, quiet=0.3, limit=30.0):
    """Waits until the process has written nothing and used no CPU for `quiet` seconds:
    background work (the full parse, layout in idle time) is done. A screen that changes
    nothing writes nothing, so silence alone does not say the work is over."""
    start = time.monotonic()
    ticks = cpu_ticks(pid)
    while time.monotonic() - start < limit:
        ready, _, _ = select.select([fd], [], [], quiet)
        if ready:
            try:
                answer_queries(fd, os.read(fd, 65536))
            except OSError:
                return
            continue
        now = cpu_ticks(pid)
        if now == ticks:
            return
        ticks = now


def spawn(args):
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        os.environ["DEVGUIDE_STATE"] = STATE
        os.execv(BINARY, [BINARY] + args)
    return pid, fd


def peak_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) / 1024


def quit_(pid, fd):
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    os.close(fd)


def settle_after(fd, data=None, action=None, expect=None):
    """Milliseconds from sending `data` (or running `action`) to a settled screen. With
    `expect`, the screen is not settled before those bytes came: a resize clears the
    screen at once, and a frame that takes longer than the quiet spell to come would
    otherwise be missed."""
    t = time.monotonic()
    if data is not None:
        os.write(fd, data)
    if action is not None:
        action()
    if expect is not None:
        read_until(fd, expect, b"")
        return (last_byte_before_quiet(fd) - t) * 1000
    # The first byte may be long in coming (a whole guide laid out again); wait for it,
    # then for the output to go quiet.
    ready, _, _ = select.select([fd], [], [], 20)
    if not ready:
        return 0.0
    return (last_byte_before_quiet(fd) - t) * 1000


def once(args):
    # A fresh state each run: a run that quits at the end would make the next one open
    # there, where `G` changes nothing and so draws nothing.
    for leftover in (STATE, STATE + ".lock"):
        if os.path.exists(leftover):
            os.remove(leftover)
    t0 = time.monotonic()
    pid, fd = spawn(args)
    seen = read_until(fd, b"quit", b"")
    first = time.monotonic() - t0
    # Let background layout and highlighting finish, as they do while a person reads.
    last_byte_before_quiet(fd)
    wait_idle(pid, fd)
    # A frame is flushed in one write, so its first byte marks the redraw; the output
    # going quiet marks the screen settled (syntax highlighting arrives a little later).
    t1 = time.monotonic()
    os.write(fd, b"G")
    select.select([fd], [], [], 20)
    redraw = time.monotonic() - t1
    settled = last_byte_before_quiet(fd) - t1
    hwm = peak_mb(pid)
    quit_(pid, fd)
    return first * 1000, redraw * 1000, settled * 1000, hwm


def report(name, args):
    runs = [once(args) for _ in range(RUNS)]
    med = [statistics.median(r[i] for r in runs) for i in range(4)]
    print(
        f"{name:<18} first frame {med[0]:5.1f} ms   G redraw {med[1]:5.1f} ms"
        f" (settled {med[2]:5.1f} ms)   peak RSS {med[3]:5.1f} MB"
    )


def spec_times(n):
    path = f"/tmp/devguide-spec-x{n}.md"
    if not os.path.exists(path):
        with open(SPEC) as f, open(path, "w") as out:
            out.write(f.read() * n)
    return path


def growth_once(path):
    """First frame, per-keystroke search, resize at the end, peak memory."""
    t0 = time.monotonic()
    pid, fd = spawn([path])
    read_until(fd, b"quit", b"")
    first = (time.monotonic() - t0) * 1000
    last_byte_before_quiet(fd)
    # The whole guide parsed and laid out, as after a moment of reading.
    wait_idle(pid, fd)
    os.write(fd, b"G")
    last_byte_before_quiet(fd)
    wait_idle(pid, fd)
    # Narrow the window at the last line: the screen is laid out again at the new width
    # (the rest of the guide follows in idle time, without changing the screen).
    def narrow():
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        os.kill(pid, 28)  # SIGWINCH
    ticks = cpu_ticks(pid)
    # The redrawn screen ends with the status line's hints.
    resize = settle_after(fd, action=narrow, expect=b"quit")
    # The CPU the resize used in all: the screen, then the rest of the layout in idle
    # time (keys that need rows above the screen wait for what is left of it; scrolling
    # down does not).
    wait_idle(pid, fd)
    rest = (cpu_ticks(pid) - ticks) * 1000 / os.sysconf("SC_CLK_TCK")
    def widen():
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.kill(pid, 28)
    resize_back = settle_after(fd, action=widen, expect=b"quit")
    settle_after(fd, b"/")
    keys = [settle_after(fd, c.encode()) for c in "matching"]
    # Erasing letters searches the whole index again (no refinement to lean on).
    keys += [settle_after(fd, b"\x7f") for _ in range(3)]
    settle_after(fd, b"\x1b")
    peak = peak_mb(pid)
    quit_(pid, fd)
    return first, statistics.median(keys), statistics.median([resize, resize_back]), peak, rest


def growth():
    print(
        f"{'document':<26}{'first frame':>12}{'/ per key':>12}{'resize':>10}{'peak':>10}{'B/B':>7}"
        f"{'resize CPU, idle included':>27}"
    )
    for n, label in [(10, "spec x10 (98k lines)"), (40, "spec x40 (392k lines)")]:
        path = spec_times(n)
        runs = [growth_once(path) for _ in range(max(3, RUNS // 2))]
        med = [statistics.median(r[i] for r in runs) for i in range(5)]
        per_byte = med[3] * 1024 * 1024 / os.path.getsize(path)
        print(
            f"{label:<26}{med[0]:9.1f} ms{med[1]:9.1f} ms{med[2]:7.1f} ms"
            f"{med[3]:7.1f} MB{per_byte:7.1f}{med[4]:24.0f} ms"
        )


def make_set(files, folder):
    """`files` guides cut from the spec at blank lines, about 5.7 kB each."""
    if os.path.isdir(folder) and len(os.listdir(folder)) == files:
        return folder
    os.makedirs(folder, exist_ok=True)
    with open(SPEC) as f:
        paras = f.read().split("\n\n")
    k = 0
    for i in range(files):
        chunk = [f"# Guide {i}\n"]
        size = 0
        while size < 5700:
            p = paras[k % len(paras)]
            k += 1
            chunk.append(p)
            size += len(p) + 2
        with open(os.path.join(folder, f"guide-{i:05}.md"), "w") as out:
            out.write("\n\n".join(chunk) + "\n")
    return folder


def key_waits(fd, keys=12, gap=0.1):
    """Milliseconds from each of `keys` presses of `j`, `gap` seconds apart, to the first
    byte of the redraw it causes: sent from the first frame on, so they land while the
    set is read, its checklist catalog built and its words counted in the background."""
    waits = []
    for _ in range(keys):
        t = time.monotonic()
        os.write(fd, b"j")
        ready, _, _ = select.select([fd], [], [], 20)
        if not ready:
            break
        waits.append((time.monotonic() - t) * 1000)
        # Take the rest of the frame, then wait out the gap.
        end = time.monotonic() + gap
        while (left := end - time.monotonic()) > 0:
            if select.select([fd], [], [], left)[0]:
                try:
                    os.read(fd, 65536)
                except OSError:
                    # The reader is gone: what was timed so far stands.
                    return waits
    return waits


def sets():
    for files in (1081, 10000):
        folder = make_set(files, f"/tmp/devguide-set-{files}")
        firsts, finder, keys = [], [], []
        # Five runs: a start-up now and then waits on the disk, and three let one such
        # run move the median.
        for _ in range(5):
            t0 = time.monotonic()
            pid, fd = spawn(["--dir", folder, "guide-00000"])
            read_until(fd, b"quit", b"")
            firsts.append((time.monotonic() - t0) * 1000)
            keys.append(max(key_waits(fd)))
            last_byte_before_quiet(fd)
            # The finder over the whole set: its index is built on first use. Memory is
            # read once the hits are on screen (the index is in), not while it builds.
            settle_after(fd, b"\x10")
            os.write(fd, b"lifetime")
            read_until(fd, b" hits", b"", deadline=60.0)
            last_byte_before_quiet(fd)
            finder.append(peak_mb(pid))
            # Esc on its own, or Esc and q together read as Alt-q.
            settle_after(fd, b"\x1b")
            quit_(pid, fd)
        print(
            f"{files:>6} files: --dir first frame {statistics.median(firsts):6.1f} ms"
            f"   slowest key after it {statistics.median(keys):6.1f} ms"
            f"   peak memory after the finder {statistics.median(finder):6.1f} MB"
        )


def timed(cmd, runs=RUNS, into=None, cpu=None):
    """Wall times in ms; output to /dev/null, or to the file `into` (rewritten each run).
    With a list as `cpu`, each run's CPU time (user + system, all threads) goes there."""
    out = []
    for _ in range(runs):
        sink = open(into, "wb") if into else subprocess.DEVNULL
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, stdout=sink, stderr=subprocess.DEVNULL)
        out.append((time.perf_counter() - t) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if cpu is not None:
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            cpu.append(used * 1000)
        if into:
            sink.close()
    return out


def versus(label, ours, theirs, runs=RUNS, into=None, cpu=False):
    """Interleaved runs, one warm-up each; medians and the median of pair ratios (and the
    CPU time medians, when `cpu`)."""
    timed(ours, 1, into)
    timed(theirs, 1, into)
    a, b, ca, cb = [], [], [], []
    for _ in range(runs):
        a += timed(ours, 1, into, ca)
        b += timed(theirs, 1, into, cb)
    ratio = statistics.median(x / y for x, y in zip(a, b))
    cpu_note = (
        f"   CPU {statistics.median(ca):.1f} vs {statistics.median(cb):.1f} ms" if cpu else ""
    )
    print(
        f"{label:<34}{statistics.median(a):8.1f} ms  vs {statistics.median(b):7.1f} ms"
        f"  ({' '.join(os.path.basename(w) for w in theirs[:2])})  ratio {ratio:4.2f}"
        + cpu_note
    )


def mdcat():
    """mdcat from $MDCAT, else from PATH; None when neither has it."""
    found = os.environ.get("MDCAT") or shutil.which("mdcat")
    return found if found and os.path.exists(found) else None


def show():
    """`show` of the 2 MB guide against mdcat at the same width."""
    big = spec_times(10)
    ours = [BINARY, "show", big, "--width", "120"]
    runs = 2 * RUNS + 1
    theirs = mdcat()
    if not theirs:
        print(f"show, 2 MB: {statistics.median(timed(ours, runs)):.1f} ms (no mdcat: set MDCAT)")
        return
    theirs = [theirs, "--no-pager", "--columns", "120", big]
    versus("show, 2 MB, to /dev/null", ours, theirs, runs, cpu=True)
    into = "/tmp/devguide-measure-show.out"
    try:
        versus("show, 2 MB, to a file", ours, theirs, runs, into, cpu=True)
    finally:
        if os.path.exists(into):
            os.remove(into)


def cli():
    env_cache = os.environ.setdefault("XDG_CACHE_HOME", "/tmp/devguide-measure-cache")
    os.makedirs(env_cache, exist_ok=True)
    for files in (1081, 10000):
        folder = make_set(files, f"/tmp/devguide-set-{files}")
        # The first call fills the cache; the figures are for calls after it. The cache
        # vouches for a file by its size and time only once the time is 2 s older than the
        # cache, so a set made just now is warmed twice, 2 s apart (as a set edited a
        # while ago would be at once).
        for _ in range(2):
            subprocess.run([BINARY, "search", "lifetime", "--dir", folder], stdout=subprocess.DEVNULL)
            time.sleep(2.1)
        versus(
            f"search lifetime, {files} files",
            [BINARY, "search", "lifetime", "--dir", folder],
            ["rg", "-n", "lifetime", folder],
        )
        versus(f"list, {files} files", [BINARY, "list", "--dir", folder], ["rg", "--files", folder])
    show()


def main():
    if not os.path.exists(BINARY):
        sys.exit("build first: cargo build --release")
    what = sys.argv[1] if len(sys.argv) > 1 else "reader"
    if what != "reader" and not os.path.exists(SPEC):
        sys.exit(f"needs the CommonMark spec at {SPEC}")
    if what == "growth":
        return growth()
    if what == "sets":
        return sets()
    if what == "cli":
        return cli()
    if what == "show":
        return show()
    report("bundled set", [])
    if os.path.exists(SPEC):
        report("spec x10 (2 MB)", [spec_times(10)])


if __name__ == "__main__":
    main()

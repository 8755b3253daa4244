#!/usr/bin/env python3
"""Whole-process timings for `devguide scan` and `devguide fix --diff`, side by side with
ruff (banned-api rule TID251, a table of the same modules the bundled guides retire) and
ripgrep (`rg -c -F netra_backend --type py`, the cost of reading and searching the files).

Two trees:
  stdlib   the interpreter's standard library without site-packages (few candidates:
           the memmem prefilter decides almost everything);
  fixture  tests/fixtures/scan/code copied until 10,000 Python files, every one a
           candidate (the tokenizer decides).

Prints median wall and CPU seconds of RUNS runs after a warm-up, and the ratios.

    cargo build --release && python3 benches/measure_scan.py
(needs `ruff` and `rg` on PATH; `hyperfine` gives the same figures, see README.)
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# DEVGUIDE_BIN measures another build.
BIN = Path(os.environ.get("DEVGUIDE_BIN") or ROOT / "target" / "release" / "devguide")
FIXTURE = ROOT / "tests" / "fixtures" / "scan" / "code"
RUNS = 11
FILES = 10_000
CORE = "netra_backend.app.websocket_core"
BANNED = [
    f"{CORE}.WebSocketManager",
    f"{CORE}.get_websocket_manager",
    f"{CORE}.unified_manager",
    f"{CORE}.websocket_manager_factory",
]


def ruff_config(dir_):
    path = Path(dir_) / "ruff.toml"
    lines = ["[lint.flake8-tidy-imports.banned-api]"]
    lines += [f'"{b}".msg = "retired by the guides"' for b in BANNED]
    path.write_text("\n".join(lines) + "\n")
    return path


def fixture_tree(dir_):
    sources = [p for p in FIXTURE.rglob("*.py") if p.stat().st_size > 0]
    n = 0
    copy = 0
    while n < FILES:
        for src in sources:
            if n >= FILES:
                break
            dest = Path(dir_) / f"c{copy}" / src.relative_to(FIXTURE)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            n += 1
        copy += 1
    return Path(dir_)


def measure(cmd):
    """Median wall and CPU (user + sys of the child) seconds."""
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls, cpus = [], []
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def row(name, wall_cpu):
    wall, cpu = wall_cpu
    print(f"  {name:<28} wall {wall * 1000:8.1f} ms   cpu {cpu * 1000:8.1f} ms")


def main():
    if not BIN.exists():
        sys.exit("build first: cargo build --release")
    for tool in ("ruff", "rg"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed on PATH")
    stdlib = sysconfig.get_paths()["stdlib"]
    with tempfile.TemporaryDirectory() as tmp:
        config = ruff_config(tmp)
        tree = fixture_tree(Path(tmp) / "tree")
        for label, path in (("stdlib", stdlib), ("fixture x10,000", str(tree))):
            print(f"{label}: {path}")
            scan = measure([str(BIN), "scan", path])
            ruff = measure(["ruff", "check", "--config", str(config), "--select", "TID251",
                            "--no-cache", "--exit-zero", path])
            rg = measure(["rg", "-c", "-F", "netra_backend", "--type", "py",
                          "-g", "!site-packages", path])
            row("devguide scan", scan)
            row("ruff check --select TID251", ruff)
            row("rg -c -F netra_backend", rg)
            print(f"  scan / ruff: wall {scan[0] / ruff[0]:.3f}  cpu {scan[1] / ruff[1]:.3f}")
            print(f"  scan / rg:   wall {scan[0] / rg[0]:.2f}")
            if label.startswith("fixture"):
                row("devguide fix --diff", measure([str(BIN), "fix", "--diff", path]))


if __name__ == "__main__":
    main()

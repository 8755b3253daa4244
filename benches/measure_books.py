#!/usr/bin/env python3
"""Budgets for documentation folders, on the real binary (medians over several runs).

Generates, under /tmp, a synthetic book shaped like the Rust book (`src/` of
rust-lang/book): 113 chapters in a SUMMARY.md with parts and nested chapters, chapters
of 10-25 KB that start with `#` or `##`, cross-chapter `.html` links, raw HTML, and two
to four `{{#include}}` / `{{#rustdoc_include …:anchor}}` listings each, read from a
`listings/` folder beside `src/`. Then measures:

- opening the book to the first complete frame (120x40 pseudo-terminal, as measure.py);
- `devguide list --dir book/src` and `devguide check --dir book/src`, wall time;
- `devguide list --dir` on a folder tree 1,500 levels deep with a guide at every level.

    cargo build --release && python3 benches/measure_books.py
"""
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402  (first-frame timing in a pseudo-terminal)

BOOK = "/tmp/devguide-bench-book"
DEEP = "/tmp/devguide-bench-deep"
RUNS = 9
WORDS = ("ownership borrow lifetime trait closure iterator module crate cargo test "
         "vector string slice enum match pattern struct method generic error panic "
         "thread channel mutex smart pointer box macro unsafe").split()


def make_book():
    shutil.rmtree(BOOK, ignore_errors=True)
    rnd = random.Random(13)
    os.makedirs(f"{BOOK}/src")
    with open(f"{BOOK}/book.toml", "w") as f:
        f.write('[book]\ntitle = "Bench"\nsrc = "src"\n')
    chapters = []
    summary = ["# Summary\n", "[Foreword](foreword.md)", "[Introduction](ch00-00-introduction.md)", ""]
    n = 0
    for part in range(1, 13):
        summary.append(f"\n# Part {part}\n")
        for ch in range(1, 3):
            for sec in range(0, 5):
                if n >= 111:
                    break
                name = f"ch{part:02d}-{ch}{sec:02d}-section.md"
                indent = "    " if sec else ""
                summary.append(f"{indent}- [Chapter {part}.{ch}.{sec}]({name})")
                chapters.append(name)
                n += 1
    chapters = ["foreword.md", "ch00-00-introduction.md"] + chapters
    with open(f"{BOOK}/src/SUMMARY.md", "w") as f:
        f.write("\n".join(summary) + "\n")
    for i, name in enumerate(chapters):
        ldir = f"{BOOK}/listings/{name[:-3]}"
        os.makedirs(ldir, exist_ok=True)
        heading = "#" if i % 2 else "##"
        parts = [f"{heading} Chapter {i}: {rnd.choice(WORDS)} and {rnd.choice(WORDS)}\n"]
        for s in range(12):
            words = " ".join(rnd.choice(WORDS) for _ in range(160))
            link = chapters[rnd.randrange(len(chapters))][:-3] + ".html"
            parts.append(f"\n## Section {s}\n\n{words}, see [more]({link}).\n")
            parts.append('\n<span class="caption">Filename: src/main.rs</span>\n')
            if s % 4 == 0:
                lname = f"l{s}.rs"
                body = "\n".join(f"    let v{k} = {k};" for k in range(30))
                with open(f"{ldir}/{lname}", "w") as lf:
                    lf.write(f"use std::io;\n// ANCHOR: here\nfn main() {{\n{body}\n}}\n// ANCHOR_END: here\n")
                rel = f"../listings/{name[:-3]}/{lname}"
                directive = "rustdoc_include" if s % 8 == 0 else "include"
                parts.append(f"\n```rust\n{{{{#{directive} {rel}:here}}}}\n```\n")
            parts.append("\nPress <kbd>Ctrl</kbd>+<kbd>C</kbd>.\n")
        with open(f"{BOOK}/src/{name}", "w") as f:
            f.write("".join(parts))
    return len(chapters)


def make_deep(levels=1500):
    # rm -rf, not shutil.rmtree: the tree is deeper than Python's recursion limit.
    subprocess.run(["rm", "-rf", DEEP], check=True)
    os.makedirs(DEEP)
    fd = os.open(DEEP, os.O_RDONLY)
    for level in range(levels):
        os.mkdir("d", dir_fd=fd)
        nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
        g = os.open(f"g{level}.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(g, f"# Level {level}\n".encode())
        os.close(g)
    os.close(fd)


def wall(args):
    times = []
    for _ in range(RUNS):
        t0 = time.monotonic()
        r = subprocess.run([measure.BINARY] + args, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        times.append((time.monotonic() - t0) * 1000)
        if r.returncode not in (0, 1):
            sys.exit(f"{args}: exit {r.returncode}")
    return statistics.median(times)


def main():
    if not os.path.exists(measure.BINARY):
        sys.exit("build first: cargo build --release")
    n = make_book()
    src = f"{BOOK}/src"
    print(f"synthetic book: {n} chapters")
    measure.report("book first frame", ["--dir", src])
    print(f"list  --dir book  {wall(['list', '--dir', src]):6.1f} ms")
    print(f"check --dir book  {wall(['check', '--dir', src]):6.1f} ms")
    make_deep()
    print(f"list  1,500-level tree  {wall(['list', '--dir', DEEP]):6.1f} ms")
    print(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()

//! Finder budgets from the search issue, on a synthetic 1,000-file, ~6 MB guide set:
//!
//! - results for each keystroke under 16 ms: `query` for every prefix of a few realistic
//!   queries, as they are typed (limit 50, what a finder pane shows);
//! - the index is built in the background; its build time is measured here too.
//!
//! `devguide lookup` end to end is measured on a release build by
//! `python3 benches/measure_lookup.py`.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use devguide::content::GuideSet;
use devguide::search::Index;

const FILES: usize = 1_000;
const TARGET_BYTES: usize = 6 * 1024 * 1024;
const QUERIES: [&str; 3] = ["websocketmanager", "get_websocket", "deprecat"];

/// A small deterministic generator, so every run measures the same set.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() % items.len()]
    }
}

const WORDS: &[&str] = &[
    "the",
    "manager",
    "connection",
    "import",
    "module",
    "deprecated",
    "canonical",
    "user",
    "context",
    "request",
    "handler",
    "session",
    "retry",
    "timeout",
    "pattern",
    "service",
    "config",
    "message",
    "queue",
    "socket",
    "websocket",
    "client",
    "server",
    "token",
    "cache",
    "should",
    "always",
    "never",
    "before",
    "after",
    "migration",
    "legacy",
    "factory",
    "test",
    "instance",
    "path",
    "warning",
    "logs",
    "architecture",
    "isolation",
    "protocol",
    "typing",
];
const IDENTS: &[&str] = &[
    "WebSocketManager",
    "get_websocket_manager",
    "WebSocketConnection",
    "UserContext",
    "SessionStore",
    "RetryPolicy",
    "MessageQueue",
    "serialize_message",
    "CacheClient",
    "TokenValidator",
    "RequestHandler",
    "ConfigLoader",
    "WebSocketManagerProtocol",
];
const MODULES: &[&str] = &[
    "app.websocket_core.websocket_manager",
    "app.websocket_core",
    "app.services.session",
    "app.core.config",
    "app.auth.tokens",
    "app.queue.workers",
    "app.cache.client",
];

fn sentence(r: &mut Rng) -> String {
    let n = 6 + r.next() % 14;
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        if r.next().is_multiple_of(9) {
            let _ = write!(s, "`{}`", r.pick(IDENTS));
        } else {
            s.push_str(r.pick(WORDS));
        }
    }
    s.push('.');
    s
}

fn guide(r: &mut Rng, n: usize, bytes: usize) -> String {
    let mut md = format!("# Guide {n}: {} {}\n\n", r.pick(WORDS), r.pick(WORDS));
    while md.len() < bytes {
        let _ = writeln!(
            md,
            "## {} {} {}\n",
            r.pick(WORDS),
            r.pick(WORDS),
            r.pick(WORDS)
        );
        for _ in 0..1 + r.next() % 3 {
            let para: Vec<String> = (0..2 + r.next() % 4).map(|_| sentence(r)).collect();
            let _ = writeln!(md, "{}\n", para.join(" "));
        }
        match r.next() % 3 {
            0 => {
                md.push_str("```python\n# CANONICAL: preferred\n");
                for _ in 0..3 + r.next() % 6 {
                    let _ = writeln!(md, "from {} import {}", r.pick(MODULES), r.pick(IDENTS));
                }
                let _ = writeln!(md, "manager = {}(user_context=ctx)\n```\n", r.pick(IDENTS));
            }
            1 => {
                md.push_str("```rust\n");
                for _ in 0..3 + r.next() % 6 {
                    let _ = writeln!(
                        md,
                        "let {} = {}::new(&config)?;",
                        r.pick(WORDS),
                        r.pick(IDENTS)
                    );
                }
                md.push_str("```\n\n");
            }
            _ => {
                for _ in 0..2 + r.next() % 4 {
                    let _ = writeln!(md, "- {}", sentence(r));
                }
                md.push('\n');
            }
        }
    }
    md
}

/// Writes the synthetic set to a temporary folder and loads it as a user's `--dir` would.
fn synthetic_set() -> (tempfile::TempDir, GuideSet) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = Rng(0x5eed);
    let mut total = 0;
    for n in 0..FILES {
        let text = guide(&mut r, n, TARGET_BYTES / FILES);
        total += text.len();
        std::fs::write(dir.path().join(format!("guide-{n:04}.md")), text).expect("write");
    }
    eprintln!(
        "synthetic set: {FILES} files, {:.1} MB",
        total as f64 / 1_048_576.0
    );
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    (dir, set)
}

fn finder(c: &mut Criterion) {
    let (_dir, set) = synthetic_set();
    let index = Index::build(&set);
    eprintln!("index: {} entries", index.len());
    {
        let mut g = c.benchmark_group("finder_build");
        g.sample_size(10);
        g.bench_function("index_build_6mb", |b| {
            b.iter(|| Index::build(black_box(&set)))
        });
        g.finish();
    }
    let mut g = c.benchmark_group("finder_keystroke");
    g.warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(800))
        .sample_size(20);
    for q in QUERIES {
        for end in 1..=q.len() {
            let prefix = &q[..end];
            g.bench_with_input(BenchmarkId::from_parameter(prefix), prefix, |b, p| {
                b.iter(|| index.query(black_box(p), 50))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, finder);
criterion_main!(benches);

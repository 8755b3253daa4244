//! Parsing a large guide: the CommonMark spec concatenated 40 times (392k lines, 8 MB),
//! in pieces as the reader does, and with one parser over the whole text. Run with
//! `cargo bench --bench parse`; the heap each holds is measured by
//! `cargo run --release --example memory_stages -- FILE`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/spec.rs"]
mod spec;

fn parse(c: &mut Criterion) {
    let Some(text) = spec::spec_text(40) else {
        eprintln!("parse benches skipped: the shared corpus is missing");
        return;
    };
    c.bench_function("parse/spec_x40_in_pieces", |b| {
        b.iter(|| black_box(devguide::doc::parse(&text).blocks.len()))
    });
    c.bench_function("parse/spec_x40_one_parser", |b| {
        b.iter(|| black_box(devguide::doc::parse_with_one_parser(&text).blocks.len()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = parse
}
criterion_main!(benches);

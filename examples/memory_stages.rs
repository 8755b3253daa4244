//! Heap held by each stage of opening a guide, counted by a global allocator:
//! `cargo run --release --example memory_stages -- FILE`. Prints live and peak bytes
//! after each stage and per byte of markdown, so the stage that grows is plain to see.

#[path = "support/counting.rs"]
mod counting;

fn report(stage: &str, size: usize) {
    let live = counting::live();
    let peak = counting::peak();
    println!(
        "{stage:<28} live {:8.1} MB ({:5.2} B/B)   peak {:8.1} MB ({:5.2} B/B)",
        live as f64 / 1048576.0,
        live as f64 / size as f64,
        peak as f64 / 1048576.0,
        peak as f64 / size as f64
    );
}

/// What the parsed document is made of, so a change to it can be weighed.
fn doc_parts(doc: &devguide::doc::Doc) {
    use devguide::doc::Leaf;
    let inlines: usize = doc
        .blocks
        .iter()
        .map(|b| match &b.leaf {
            Leaf::Paragraph(i) | Leaf::Heading { inlines: i, .. } => i.len(),
            Leaf::Table(t) => t.rows.iter().flatten().map(|c| c.len()).sum(),
            _ => 0,
        })
        .sum();
    let code: usize = doc.code_blocks.iter().map(|c| c.raw.len()).sum();
    let shown: usize = doc
        .code_blocks
        .iter()
        .filter(|c| !std::sync::Arc::ptr_eq(&c.raw, &c.display))
        .map(|c| c.display.len())
        .sum();
    let mut frames: Vec<*const devguide::doc::Frame> =
        doc.blocks.iter().map(|b| b.frames.as_ptr()).collect();
    frames.sort();
    frames.dedup();
    println!(
        "blocks {} ({} B each), inlines {inlines} ({} B each), inline text {:.1} MB (cap {:.1}), \
         code {} blocks {:.1} MB (+{:.1} MB shown apart), links {}, frame lists {}",
        doc.blocks.len(),
        std::mem::size_of::<devguide::doc::Block>(),
        std::mem::size_of::<devguide::doc::Inline>(),
        doc.inline_text.len() as f64 / 1048576.0,
        doc.inline_text.capacity() as f64 / 1048576.0,
        doc.code_blocks.len(),
        code as f64 / 1048576.0,
        shown as f64 / 1048576.0,
        doc.links.len(),
        frames.len()
    );
}

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: memory_stages FILE");
        return std::process::ExitCode::from(2);
    };
    let set = match devguide::content::GuideSet::from_file(std::path::Path::new(&path)) {
        Ok(set) => set,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(1);
        }
    };
    let size = set.guides[0].body.len().max(1);
    report("guide read", size);
    let doc = devguide::doc::parse(&set.guides[0].body);
    report("doc parsed", size);
    doc_parts(&doc);
    let theme = devguide::theme::Theme::for_mode(devguide::theme::ColorMode::TrueColor);
    let mut layout = devguide::layout::Layout::new(120);
    layout.finish(&doc, &theme);
    report("laid out at 120", size);
    let index = devguide::layout::text_index::TextIndex::build(&layout);
    report("text index", size);
    println!(
        "layout heap {:.1} MB, index heap {:.1} MB",
        layout.heap_bytes() as f64 / 1048576.0,
        index.heap_bytes() as f64 / 1048576.0
    );
    let rows = &layout.rows;
    let text: usize = rows.iter().map(|r| layout.text_of(r).len()).sum();
    let runs: usize = rows.iter().map(|r| layout.span_count(r)).sum();
    let links: usize = rows.iter().map(|r| layout.links(r).len()).sum();
    println!(
        "rows {} (cap {}, {} B each), text {:.1} MB, runs {}, links {}",
        rows.len(),
        rows.capacity(),
        std::mem::size_of::<devguide::layout::Row>(),
        text as f64 / 1048576.0,
        runs,
        links
    );
    drop(index);
    drop(layout);
    drop(doc);
    report("doc, layout, index dropped", size);
    std::process::ExitCode::SUCCESS
}

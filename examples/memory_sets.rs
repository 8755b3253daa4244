//! Heap held by each stage of opening a large `--dir` set, counted by a global
//! allocator: `cargo run --release --example memory_sets -- FOLDER`. Prints live and peak
//! bytes (and the process's peak resident size) after each stage the reader goes
//! through: the files' heads, the whole set read (texts let go), the checklist catalog
//! and the finder's index, each built from the files one guide at a time.

#[path = "support/counting.rs"]
mod counting;

fn report(stage: &str) {
    let live = counting::live();
    let peak = counting::peak();
    let hwm = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0);
    println!(
        "{stage:<34} live {:7.1} MB   peak {:7.1} MB   VmHWM {hwm:7.1} MB",
        live as f64 / 1048576.0,
        peak as f64 / 1048576.0,
    );
}

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: memory_sets FOLDER");
        return std::process::ExitCode::from(2);
    };
    let dir = std::path::PathBuf::from(dir);
    let heads = match devguide::content::GuideSet::from_dir_heads(&dir) {
        Ok(set) => set,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(1);
        }
    };
    report("heads read");
    // As the reader does: the whole set read in the background, keeping no text.
    let set = match devguide::content::GuideSet::from_dir_unheld(&dir) {
        Ok(set) => set,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(1);
        }
    };
    drop(heads);
    report("set read, texts let go");
    println!("  {} guides", set.guides.len());
    let (catalog, facts) = devguide::app::catalog_of(&set, &[]);
    report("checklist catalog and facts");
    let indexes = devguide::app::finder::Indexes::build(&set);
    report("finder index");
    println!("  index entries {}", indexes.search.len());
    drop(set);
    report("set dropped");
    drop((catalog, facts));
    report("catalog dropped");
    drop(indexes);
    report("index dropped");
    std::process::ExitCode::SUCCESS
}

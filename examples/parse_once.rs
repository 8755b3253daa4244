//! One parse of a guide in a fresh process, as the reader does it when a guide opens:
//! `cargo run --release --example parse_once -- FILE [one-parser]` prints the time in
//! ms. A benchmark loop parses again in a process whose allocator already holds the
//! memory of the last round; this shows the cost a reader actually pays, page faults
//! included. Run it a few times and take the median.

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse_once FILE [one-parser]");
        return std::process::ExitCode::from(2);
    };
    let one = args.next().is_some_and(|a| a == "one-parser");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let started = std::time::Instant::now();
    let doc = if one {
        devguide::doc::parse_with_one_parser(&text)
    } else {
        devguide::doc::parse(&text)
    };
    let took = started.elapsed();
    println!(
        "{:.1} ms, {} blocks",
        took.as_secs_f64() * 1000.0,
        doc.blocks.len()
    );
    std::process::ExitCode::SUCCESS
}

//! `devguide show`: a guide rendered through the reader's own pipeline to stdout.

use std::io::Write;
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::appearance::Variant;
use crate::cli::ColorChoice;
use crate::content::GuideSet;
use crate::doc::{self, Doc};
use crate::highlight::Highlighter;
use crate::layout::{Layout, styled_spans};
use crate::theme::{ColorMode, Theme};

use super::Target;

pub struct Options {
    pub width: u16,
    pub color: bool,
    /// Problems with the guide are not printed.
    pub quiet: bool,
    /// Code lines are laid out whole, however wide (output into a pipe, no `--width`).
    pub whole_code: bool,
    /// The theme to colour with (from `--theme`, the config, or `COLORFGBG`).
    pub variant: Variant,
    /// Syntax theme for code blocks, by name.
    pub syntax_theme: String,
    /// The process exits right after: the laid-out guide is not freed piece by piece.
    pub leave_allocated: bool,
}

impl Options {
    /// Width from the flag, else the terminal, else 80; colour per `--color` and `NO_COLOR`.
    pub fn resolve(width: Option<u16>, color: ColorChoice, quiet: bool) -> Options {
        use std::io::IsTerminal;
        let tty = std::io::stdout().is_terminal();
        let whole_code = width.is_none() && !tty;
        let width = width
            .or_else(|| {
                tty.then(|| crossterm::terminal::size().ok().map(|(w, _)| w))
                    .flatten()
            })
            .unwrap_or(80)
            .max(1);
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color && !crate::theme::term_is_dumb(),
        };
        Options {
            width,
            color,
            quiet,
            whole_code,
            variant: Variant::Dark,
            syntax_theme: crate::highlight::DEFAULT_SYNTAX_THEME.to_string(),
            leave_allocated: false,
        }
    }
}

pub fn run(
    set: &GuideSet,
    target: &Target,
    opts: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let Some(guide) = set.guides.get(target.guide) else {
        anyhow::bail!("no such guide");
    };
    let doc = doc::parse(&guide.body);
    let blocks = match &target.anchor {
        Some(anchor) => match doc.heading_by_anchor(anchor) {
            Some(h) => doc.section_blocks(h),
            None => {
                let anchors: Vec<String> = doc
                    .headings
                    .iter()
                    .map(|h| format!("#{}", h.anchor))
                    .collect();
                anyhow::bail!(
                    "no heading '#{}' in {}.\nheadings: {}",
                    crate::sanitize::sanitize_line(anchor),
                    guide.id,
                    anchors.join(" ")
                );
            }
        },
        None => 0..doc.blocks.len(),
    };
    if !opts.quiet {
        super::print_notices(guide.notices.iter(), err)?;
    }
    let mode = if opts.color {
        // Colour was asked for: a terminal that names no colours gets the 16 all have.
        match ColorMode::from_env(
            false,
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        ) {
            ColorMode::None => ColorMode::Ansi16,
            m => m,
        }
    } else {
        ColorMode::None
    };
    let theme = opts.variant.theme(mode);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS));
    super::write_context(print_blocks(
        &doc,
        blocks,
        &theme,
        opts,
        Split::across(threads),
        out,
    ))?;
    // The process ends after printing: freeing a large guide's blocks one by one would
    // only delay the exit (a few milliseconds for a 2 MB guide).
    if opts.leave_allocated {
        std::mem::forget(doc);
    }
    Ok(0)
}

/// More threads than this gain little: the parse before them is done on one.
const MAX_THREADS: usize = 4;

/// How the printing of a guide is shared out: blocks are laid out independently of each
/// other, so a guide is cut into pieces of consecutive blocks, laid out and turned into
/// text on several threads, and written in order.
#[derive(Debug, Clone, Copy)]
pub struct Split {
    /// Threads laying out pieces; 1 (or 0) does every piece on the calling thread.
    pub threads: usize,
    /// No piece has fewer blocks than this (unless the guide has fewer): a small guide is
    /// one piece, printed without a thread.
    pub min_blocks: usize,
}

impl Split {
    /// The whole guide as one piece on the calling thread.
    pub const SEQUENTIAL: Split = Split {
        threads: 1,
        min_blocks: usize::MAX,
    };

    /// Pieces for `threads` threads: several per thread, so a thread done early takes
    /// another piece instead of waiting for the slowest.
    pub fn across(threads: usize) -> Split {
        Split {
            threads,
            min_blocks: 512,
        }
    }
}

/// Pieces per thread: enough that uneven pieces even out, few enough that each is worth
/// a layout of its own.
const PIECES_PER_THREAD: usize = 8;

/// Prints `blocks` of `doc` to `out`: the same bytes whatever `split` says.
pub fn print_blocks(
    doc: &Doc,
    blocks: Range<usize>,
    theme: &Theme,
    opts: &Options,
    split: Split,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    // One write per 64 KiB, not one per line: a 2 MB guide is 85,000 lines.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    let pieces = pieces(doc, blocks, split);
    let printer = Printer {
        doc,
        theme,
        opts,
        highlighter: OnceLock::new(),
    };
    let mut rows_above = false;
    let mut put = |printed: Printed, piece: &Piece| -> std::io::Result<()> {
        // A piece after the first is laid out as if the blocks above it had rows (the gap
        // above its blocks drawn); if none had, it is laid out again from the top, as
        // when laid out in one go. Blocks without rows are rare (a table without cells).
        let printed = if rows_above || piece.first {
            printed
        } else {
            printer.print(&Piece {
                from: 0,
                first: true,
                ..*piece
            })
        };
        rows_above |= printed.rows > 0;
        out.write_all(printed.text.as_bytes())
    };
    if split.threads <= 1 || pieces.len() <= 1 {
        for piece in &pieces {
            put(printer.print(piece), piece)?;
        }
        return out.flush();
    }
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Printed)>();
        for _ in 0..split.threads.min(pieces.len()) {
            let (tx, next, pieces, printer) = (tx.clone(), &next, &pieces, &printer);
            // A thread that cannot be started leaves its pieces to the others, or to
            // this thread below.
            let _ = std::thread::Builder::new().spawn_scoped(scope, move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(piece) = pieces.get(i) else { break };
                    // The receiver is gone when writing failed: nothing more to do.
                    if tx.send((i, printer.print(piece))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Pieces finish out of order; each is written once those above it are.
        let mut ready: Vec<Option<Printed>> = pieces.iter().map(|_| None).collect();
        let mut written = 0;
        for (i, printed) in rx {
            if let Some(slot) = ready.get_mut(i) {
                *slot = Some(printed);
            }
            while let Some(printed) = ready.get_mut(written).and_then(Option::take) {
                if let Some(piece) = pieces.get(written) {
                    put(printed, piece)?;
                }
                written += 1;
            }
        }
        // Every thread has stopped; pieces none took (no thread could start) are
        // printed here.
        while let Some(piece) = pieces.get(written) {
            let printed = ready
                .get_mut(written)
                .and_then(Option::take)
                .unwrap_or_else(|| printer.print(piece));
            put(printed, piece)?;
            written += 1;
        }
        Ok::<(), std::io::Error>(())
    })?;
    out.flush()
}

/// Consecutive blocks printed by themselves.
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// Blocks `from..to`.
    from: usize,
    to: usize,
    /// The first piece of what is printed: the gap above its first block is not printed.
    first: bool,
    /// The last piece: the gap above the block after it is printed (a section ends with
    /// the blank line before the next heading, as the whole guide's rows have it).
    last: bool,
}

/// `blocks` cut into pieces of about equal length in lines of markdown.
fn pieces(doc: &Doc, blocks: Range<usize>, split: Split) -> Vec<Piece> {
    let (start, end) = (blocks.start, blocks.end.max(blocks.start));
    let len = end - start;
    // A section further down is printed whole: whether the blocks above it have rows
    // (and so whether a later piece's first gap is drawn) is not known without laying
    // them out.
    let count = if start > 0 {
        1
    } else {
        (split.threads.max(1) * PIECES_PER_THREAD)
            .min(len / split.min_blocks.max(1))
            .max(1)
    };
    let line = |b: usize| doc.blocks.get(b).map_or(0, |b| u64::from(b.line));
    let (first_line, last_line) = (line(start), line(end.saturating_sub(1)));
    let span = last_line.saturating_sub(first_line);
    let mut cuts = vec![start];
    for k in 1..count as u64 {
        let wanted = first_line + span * k / count as u64;
        let at = start
            + doc
                .blocks
                .get(start..end)
                .unwrap_or(&[])
                .partition_point(|b| u64::from(b.line) < wanted);
        if cuts.last().is_some_and(|&c| at > c) && at < end {
            cuts.push(at);
        }
    }
    cuts.push(end);
    let n = cuts.len() - 1;
    cuts.windows(2)
        .enumerate()
        .map(|(i, w)| Piece {
            from: w[0],
            to: w[1],
            first: i == 0,
            last: i + 1 == n,
        })
        .collect()
}

/// A piece as text.
struct Printed {
    text: String,
    /// Rows printed.
    rows: usize,
}

/// What every piece is printed with.
struct Printer<'a> {
    doc: &'a Doc,
    theme: &'a Theme,
    opts: &'a Options,
    /// Loading syntax definitions costs milliseconds: only for a guide whose code blocks
    /// name a language, and only when colouring; shared by the threads.
    highlighter: OnceLock<Highlighter>,
}

impl Printer<'_> {
    fn print(&self, piece: &Piece) -> Printed {
        let (doc, theme, opts) = (self.doc, self.theme, self.opts);
        let mut layout = Layout::starting_at(opts.width, piece.from);
        // The last piece also lays out the block after it, for the gap above that block.
        let through = if piece.last {
            piece.to
        } else {
            piece.to.saturating_sub(1).max(piece.from)
        };
        layout.extend_to_block(doc, theme, through);
        let first_row = if piece.first {
            layout.block_rows.first().map_or(0, |&r| r as usize)
        } else {
            0
        };
        let end_row = if piece.last {
            layout
                .block_rows
                .get(piece.to - piece.from)
                .map_or(layout.rows.len(), |&r| r as usize)
        } else {
            layout.rows.len()
        };
        let rows = layout.rows.get(first_row..end_row).unwrap_or(&[]);
        let mut highlights = std::collections::HashMap::new();
        let mut painter = super::ansi::Painter::default();
        let mut text = String::new();
        // Where the line being built starts; `None` before the first.
        let mut line_start: Option<usize> = None;
        for row in rows {
            let frame = layout.frame(row);
            if let Some(f) = frame
                && opts.color
                && !highlights.contains_key(&f)
            {
                let hl = doc.code_blocks.get(f as usize).and_then(|code| {
                    let lang = code.lang.as_deref()?;
                    self.highlighter
                        .get_or_init(|| Highlighter::with_theme(&opts.syntax_theme))
                        .highlight(lang, &code.display, theme)
                });
                highlights.insert(f, hl);
            }
            let hl = frame
                .and_then(|f| highlights.get(&f))
                .and_then(Option::as_ref);
            // A code line wrapped over several rows is joined back into one when printing
            // into a pipe: copied code must run, so it is never broken (its frame keeps
            // the width).
            let continues = opts.whole_code && layout.code_line(row).is_some_and(|c| c.start > 0);
            if continues && line_start.is_some() {
                let spans = styled_spans(&layout, row, hl);
                let head = layout.span_count(row).saturating_sub(1).min(spans.len());
                painter.line_into(&mut text, &spans[head..], opts.color);
                continue;
            }
            if line_start.is_some() {
                text.push('\n');
            }
            let start = text.len();
            line_start = Some(start);
            if opts.color {
                painter.line_into(&mut text, &styled_spans(&layout, row, hl), true);
            } else {
                // Without colour a row is its text: its spans are consecutive stretches
                // of it.
                text.push_str(layout.text_of(row).trim_end_matches(' '));
            }
            if let Some((task, col)) = layout.task(row)
                && doc.tasks.get(task as usize).is_some_and(|t| t.checked)
            {
                let ticked = tick_box(&text[start..], usize::from(col), opts.color);
                text.truncate(start);
                text.push_str(&ticked);
            }
        }
        if line_start.is_some() {
            text.push('\n');
        }
        let printed = Printed {
            text,
            rows: rows.len(),
        };
        // Freed even when the process ends right after: the next piece laid out on this
        // thread reuses the memory, which costs less than asking the system for more.
        drop(layout);
        printed
    }
}

/// Shows a task the markdown marks done as `[x]`.
fn tick_box(line: &str, col: usize, color: bool) -> String {
    if color {
        return line.replacen("[ ]", "[x]", 1);
    }
    let mut chars: Vec<char> = line.chars().collect();
    if chars.get(col) == Some(&'[') && chars.get(col + 1) == Some(&' ') {
        chars[col + 1] = 'x';
    }
    chars.into_iter().collect()
}

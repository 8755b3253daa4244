//! `devguide show`: a guide rendered through the reader's own pipeline to stdout.

use std::io::Write;

use crate::appearance::Variant;
use crate::cli::ColorChoice;
use crate::content::GuideSet;
use crate::doc;
use crate::highlight::Highlighter;
use crate::layout::{Layout, styled_spans};
use crate::theme::ColorMode;

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
    let mut layout = Layout::new(opts.width);
    layout.extend_to_block(&doc, &theme, blocks.end);
    // Loading syntax definitions costs milliseconds: only for a guide whose code blocks
    // name a language, and only when colouring.
    let highlighter = std::cell::OnceCell::new();
    let highlighter = || highlighter.get_or_init(|| Highlighter::with_theme(&opts.syntax_theme));
    let mut highlights = std::collections::HashMap::new();
    let first_row = layout
        .block_rows
        .get(blocks.start)
        .map_or(0, |&r| r as usize);
    let end_row = layout
        .block_rows
        .get(blocks.end)
        .map_or(layout.rows.len(), |&r| r as usize);
    // A code line wrapped over several rows is joined back into one when printing into a
    // pipe: copied code must run, so it is never broken (its frame keeps the width).
    let mut pending = String::new();
    let mut has_pending = false;
    // One write per 64 KiB, not one per line: a 2 MB guide is 85,000 lines.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    for row in layout.rows.get(first_row..end_row).unwrap_or(&[]) {
        let frame = layout.frame(row);
        if let Some(f) = frame
            && opts.color
            && !highlights.contains_key(&f)
        {
            let hl = doc.code_blocks.get(f as usize).and_then(|code| {
                let lang = code.lang.as_deref()?;
                highlighter().highlight(lang, &code.display, &theme)
            });
            highlights.insert(f, hl);
        }
        let hl = frame
            .and_then(|f| highlights.get(&f))
            .and_then(Option::as_ref);
        let spans = styled_spans(&layout, row, hl);
        let continues = opts.whole_code && layout.code_line(row).is_some_and(|c| c.start > 0);
        if continues && has_pending {
            let head = layout.span_count(row).saturating_sub(1).min(spans.len());
            super::ansi::line_into(&mut pending, &spans[head..], opts.color);
            continue;
        }
        if has_pending {
            pending.push('\n');
            super::write_context(out.write_all(pending.as_bytes()))?;
        }
        // One line buffer for the whole guide: no allocation per line.
        pending.clear();
        super::ansi::line_into(&mut pending, &spans, opts.color);
        if let Some((task, col)) = layout.task(row)
            && doc.tasks.get(task as usize).is_some_and(|t| t.checked)
        {
            pending = tick_box(&pending, usize::from(col), opts.color);
        }
        has_pending = true;
    }
    if has_pending {
        pending.push('\n');
        super::write_context(out.write_all(pending.as_bytes()))?;
    }
    super::write_context(out.flush())?;
    // The process ends after printing: freeing a large guide's rows and blocks one by
    // one would only delay the exit (a few milliseconds for a 2 MB guide).
    if opts.leave_allocated {
        std::mem::forget(layout);
        std::mem::forget(doc);
    }
    Ok(0)
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

//! The findings overlay: the code base's retired imports grouped by file, and below the
//! list what the guides say about the selected one (why, what to use with the guide's
//! caveat, what else to change, where it is said) with the symbol's lookup card.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::App;
use crate::app::findings::{NO_CODE_BASE, Panel, Row, rows, shown_path, summary};
use crate::keymap::{Mode, OverlayAction as Act};
use crate::sanitize::sanitize_line;
use crate::scan::{Class, Finding};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, panel: &Panel) {
    let theme = &app.theme;
    let width = area.width.saturating_sub(4).min(120);
    let height = area.height.saturating_sub(2).min(40);
    if width < 12 || height < 5 {
        return;
    }
    let rect = super::centered(area, width, height);
    let root = app.code.base.as_ref().map(|b| b.root.as_path());
    let title = match root {
        Some(r) => format!(" Findings in {} ", sanitize_line(&r.display().to_string())),
        None => " Findings ".to_string(),
    };
    let block = Block::bordered()
        .border_style(theme.overlay_border)
        .title(title)
        .title_bottom(app.keymap.footer(
            Mode::Findings,
            &[
                (Act::Open, "edit"),
                (Act::Guide, "guide"),
                (Act::CopyImport, "copy fix"),
                (Act::Rescan, "rescan"),
                (Act::Close, "close"),
            ],
        ));
    frame.render_widget(Clear, rect);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);

    let head = head_line(app);
    let findings = app.findings();
    if findings.is_empty() {
        frame.render_widget(Paragraph::new(vec![head]).wrap(Wrap { trim: false }), inner);
        return;
    }
    let detail = app
        .findings()
        .get(panel.selected)
        .map(|f| detail_lines(app, f))
        .unwrap_or_default();
    // The list gets at least half the room; the detail what is left, up to its length.
    let room = inner.height.saturating_sub(1);
    let detail_rows = (detail.len() as u16 + 1).min(room / 2);
    let list_rows = room.saturating_sub(detail_rows);
    let all = rows(findings);
    let at = all
        .iter()
        .position(|r| *r == Row::Finding(panel.selected))
        .unwrap_or(0);
    // Keep the file's name in view above its first finding.
    let anchor = match at.checked_sub(1).map(|i| all[i]) {
        Some(Row::File(_)) => at - 1,
        _ => at,
    };
    let first = crate::app::list::first_visible(at, usize::from(list_rows), |_| 1).min(anchor);
    let mut lines = vec![head];
    for row in all.iter().skip(first).take(usize::from(list_rows)) {
        lines.push(match *row {
            Row::File(i) => Line::from(Span::styled(shown_path(&findings[i].path, root), theme.h3)),
            Row::Finding(i) => finding_line(app, &findings[i], i == panel.selected),
        });
    }
    let used = lines.len() as u16;
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            height: used.min(inner.height),
            ..inner
        },
    );
    if detail_rows > 0 && used < inner.height {
        let mut text = vec![Line::from(Span::styled(
            "\u{2500}".repeat(usize::from(inner.width)),
            theme.muted,
        ))];
        text.extend(detail);
        let area = Rect {
            y: inner.y + used,
            height: inner.height - used,
            ..inner
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
    }
}

/// The first line: the state of the scan, or why there is none.
fn head_line(app: &App) -> Line<'static> {
    let theme = &app.theme;
    let code = &app.code;
    if code.base.is_none() {
        return Line::from(Span::styled(NO_CODE_BASE, theme.muted));
    }
    let state = match (&code.last, &code.error) {
        (_, Some(e)) => {
            return Line::from(Span::styled(
                format!("scan failed: {e}"),
                theme.status_error,
            ));
        }
        (None, None) => "scanning\u{2026}".to_string(),
        (Some(s), None) => {
            let mut t = summary(s);
            if !s.report.findings.is_empty() {
                t.push_str(&format!(" \u{b7} scanned at {}", s.clock));
            }
            if code.running {
                t.push_str(" \u{b7} scanning again\u{2026}");
            }
            t
        }
    };
    let style = match code.clean() {
        Some(true) => theme.task_done,
        _ => theme.muted,
    };
    Line::from(Span::styled(state, style))
}

fn class_style(app: &App, class: Class) -> ratatui::style::Style {
    match class {
        Class::Deprecated => app.theme.status_error,
        _ => app.theme.h3,
    }
}

/// `  12:5  deprecated   from m import S` (the selected one marked and highlighted).
fn finding_line(app: &App, f: &Finding, selected: bool) -> Line<'static> {
    let theme = &app.theme;
    let marker = if selected { "\u{25b8} " } else { "  " };
    let mut line = Line::from(vec![
        Span::raw(marker),
        Span::styled(format!("{:>5}:{:<4}", f.line, f.column), theme.muted),
        Span::styled(
            format!("{:<12}", class_name(f.class)),
            class_style(app, f.class),
        ),
        Span::styled(sanitize_line(&f.text), theme.code_inline),
    ]);
    if selected {
        line = line.patch_style(theme.selection);
    }
    line
}

fn class_name(class: Class) -> &'static str {
    match class {
        Class::Deprecated => "deprecated",
        _ => "problematic",
    }
}

/// What the guides say about the selected finding, and its symbol's lookup card.
fn detail_lines(app: &App, f: &Finding) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let label = |l: &str| Span::styled(format!("{l:<6}"), theme.h3);
    let mut lines = Vec::new();
    if let Some(r) = &f.reason {
        lines.push(Line::from(vec![
            label("why"),
            Span::styled(sanitize_line(r), theme.text),
        ]));
    }
    match &f.replacement {
        Some(r) => {
            let mut spans = vec![
                label("use"),
                Span::styled(sanitize_line(&r.import_line), theme.code_inline),
            ];
            if let Some(c) = &r.caveat {
                spans.push(Span::styled(
                    format!("  ({})", sanitize_line(c)),
                    theme.muted,
                ));
            }
            if !f.fixable {
                spans.push(Span::styled("  [no automatic fix here]", theme.muted));
            }
            lines.push(Line::from(spans));
        }
        None => lines.push(Line::from(vec![
            label("use"),
            Span::styled("the guides give no one-to-one replacement", theme.muted),
        ])),
    }
    for a in &f.advice {
        lines.push(Line::from(vec![
            label("also"),
            Span::styled(sanitize_line(a), theme.text),
        ]));
    }
    lines.push(Line::from(vec![
        label("see"),
        Span::styled(sanitize_line(&f.rule_id), theme.link),
    ]));
    let symbol = f
        .name
        .clone()
        .unwrap_or_else(|| f.module.rsplit('.').next().unwrap_or_default().to_string());
    if let Some(ix) = &app.indexes {
        let card = ix.lookup.lookup(&symbol);
        if !card.is_empty() {
            lines.push(Line::from(Span::styled(
                format!("lookup {}", sanitize_line(&symbol)),
                theme.h3,
            )));
            lines.extend(super::finder::card_lines(app, &card).into_iter().map(owned));
        }
    }
    lines
}

/// A line that no longer borrows what it was built from.
fn owned(line: Line<'_>) -> Line<'static> {
    Line::from(
        line.spans
            .into_iter()
            .map(|s| Span::styled(s.content.into_owned(), s.style))
            .collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::app::findings::{CodeBase, CodeFrom, Scanned};
    use crate::app::{App, Msg};
    use crate::content::GuideSet;
    use crate::keymap::Keymap;
    use crate::scan::{Rules, ScanOptions, scan_paths};
    use crate::theme::{ColorMode, Theme};

    fn scanned_app() -> App {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/code");
        let mut app = App::new(
            GuideSet::bundled(),
            Theme::for_mode(ColorMode::None),
            Keymap::default(),
        );
        app.set_code_base(Some(CodeBase {
            root: root.clone(),
            from: CodeFrom::Flag,
        }));
        let rules = Rules::from_guides(&app.set);
        let report = scan_paths(&[root], &rules, &ScanOptions::default());
        app.update(Msg::Scanned(Box::new(Ok(Scanned {
            report,
            clock: "14:02".into(),
            at: "2026-12-01T14:02:00Z".into(),
        }))));
        app.update(crate::app::Action::Findings);
        app
    }

    fn screen(app: &mut App, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        app.update(Msg::Resize(ratatui::layout::Rect::new(0, 0, width, height)));
        terminal.draw(|f| crate::ui::draw(f, app)).expect("draws");
        let buf = terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..height {
            for x in 0..width {
                let sym = buf[(x, y)].symbol();
                assert!(
                    !sym.chars().any(char::is_control),
                    "control character at {x},{y}"
                );
                out.push_str(sym);
            }
            out.push('\n');
        }
        out
    }

    #[test]
    fn the_overlay_draws_its_findings_by_file_and_what_the_guide_says() {
        let mut app = scanned_app();
        let s = screen(&mut app, 100, 30);
        assert!(s.contains("Findings in"), "{s}");
        assert!(
            s.contains("7 deprecated and 4 problematic imports left in 5 files"),
            "{s}"
        );
        assert!(s.contains("netra_backend/app/services/guarded.py"), "{s}");
        assert!(s.contains("\u{25b8}     4:50  deprecated"), "{s}");
        assert!(s.contains("see   import-guide#deprecated-patterns"), "{s}");
        assert!(
            s.contains("FINDINGS"),
            "the status bar names the overlay: {s}"
        );
    }

    #[test]
    fn the_live_state_beside_the_item_is_a_whole_wording_at_any_width() {
        let mut app = scanned_app();
        app.update(crate::app::Action::Cancel);
        let guide = app
            .set
            .find("migration-checklist")
            .expect("bundled checklist");
        app.start_at(guide, None);
        let whole = [
            "7 deprecated and 4 problematic imports left in 5 files",
            "11 imports left",
            "11 left",
            "11",
        ];
        for width in 50..=120 {
            let s = screen(&mut app, width, 30);
            let Some(line) = s.lines().find(|l| l.contains("with canonical paths")) else {
                continue;
            };
            let Some((_, state)) = line.split_once("paths  \u{b7} ") else {
                continue;
            };
            let state = state.trim_end_matches([' ', '\u{2502}']).trim_end();
            assert!(
                whole.contains(&state),
                "width {width}: {state:?} in {line:?}"
            );
        }
    }

    #[test]
    fn every_size_draws_without_panic() {
        let mut app = scanned_app();
        for (w, h) in [
            (1, 1),
            (2, 3),
            (12, 5),
            (13, 7),
            (20, 8),
            (40, 12),
            (80, 24),
            (200, 60),
        ] {
            screen(&mut app, w, h);
        }
        // The last finding selected, on a short screen: the list scrolls to it, and its
        // file's name is still in view above it.
        app.update(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('G'),
            crossterm::event::KeyModifiers::NONE,
        ));
        let s = screen(&mut app, 80, 16);
        assert!(s.contains("\u{25b8}    13:36"), "{s}");
        assert!(s.contains("tests/test_patching.py"), "{s}");
        assert!(
            !s.contains("guarded.py"),
            "scrolled past the first file: {s}"
        );
    }
}

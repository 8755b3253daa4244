//! The migrations panel: every migration of the set with its progress and last change,
//! then the active migration's orphaned ticks.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::App;
use crate::app::migrations::{Mode, Panel, PanelRow};
use crate::checklist::Catalog;
use crate::keymap::{Mode as Keys, OverlayAction as Act};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, panel: &Panel) {
    let theme = &app.theme;
    let c = &app.checklists;
    let width = area.width.min(76);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let summaries = c.state.migrations(&c.set_key);
    let no_items = Catalog::default();
    let catalog = c.catalog.as_ref().unwrap_or(&no_items);
    let rows = Panel::rows(c);
    if summaries.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(
                "No migrations yet: press {} to start one.",
                app.keymap
                    .overlay_label(Keys::Migrations, Act::New)
                    .unwrap_or_default()
            ),
            theme.muted,
        )));
    }
    let orphans = c.orphans();
    let mut selected_line = 0;
    for (i, row) in rows.iter().enumerate() {
        let selected = i == panel.selected
            && matches!(
                panel.mode,
                Mode::Browse | Mode::ConfirmDelete { .. } | Mode::ConfirmDiscard { .. }
            );
        let marker = if selected { "\u{25b8} " } else { "  " };
        let mut line = match row {
            PanelRow::Migration(name) => {
                let active = c.migration.as_deref() == Some(name.as_str());
                let progress = progress_of(catalog, c, name);
                let when = summaries
                    .iter()
                    .find(|s| &s.name == name)
                    .and_then(|s| s.last_change)
                    .map(ago)
                    .unwrap_or_default();
                let style = if active {
                    theme.sidebar_current
                } else {
                    theme.text
                };
                Line::from(vec![
                    Span::raw(marker),
                    Span::styled(format!("{name:<24}"), style),
                    Span::styled(format!(" {progress:>7} "), theme.task_done),
                    Span::styled(format!(" {when}"), theme.muted),
                    Span::styled(if active { "  (active)" } else { "" }, theme.muted),
                ])
            }
            PanelRow::Orphan(id) => {
                if i == summaries.len() {
                    lines.push(Line::default());
                    let head = format!(
                        "Orphaned ticks of {} (their item changed or is gone):",
                        c.migration.as_deref().unwrap_or("")
                    );
                    lines.push(Line::from(Span::styled(head, theme.h3)));
                }
                let tick = orphans
                    .iter()
                    .find(|(o, _)| o == id)
                    .map(|(_, t)| t.clone());
                let text = tick.as_ref().map_or(id.clone(), |t| t.text.clone());
                let at = tick.map(|t| t.at).unwrap_or_default();
                Line::from(vec![
                    Span::raw(marker),
                    Span::styled(crate::sanitize::sanitize_line(&text), theme.text),
                    Span::styled(format!("  ticked {at}"), theme.muted),
                ])
            }
        };
        if i == panel.selected {
            selected_line = lines.len();
        }
        if selected {
            line = line.patch_style(theme.selection);
        }
        lines.push(line);
        // Under a migration with recorded scans: how the code base is getting on.
        if let PanelRow::Migration(name) = row
            && let Some(t) = app
                .code
                .history
                .get(name)
                .and_then(|r| crate::app::findings::trend(r, SystemTime::now()))
        {
            if i == panel.selected {
                // Scrolling keeps the trend on screen with its migration.
                selected_line = lines.len();
            }
            lines.push(Line::from(Span::styled(
                format!("    scan: {}", crate::sanitize::sanitize_line(&t)),
                theme.muted,
            )));
        }
    }
    // The list scrolls so the selection is on screen; the prompt below it always shows.
    let tail = [Line::default(), mode_line(app, panel, catalog)];
    let height = area.height.min((lines.len() + tail.len()) as u16 + 2);
    if width < 10 || height < 3 {
        return;
    }
    let rect = super::centered(area, width, height);
    let room = usize::from(height - 2).saturating_sub(tail.len()).max(1);
    let first = crate::app::list::first_visible(selected_line, room, |_| 1);
    let mut shown: Vec<Line<'static>> = lines.into_iter().skip(first).take(room).collect();
    shown.extend(tail);
    // While a name is typed, only the prompt's keys do anything: list those.
    let footer = if matches!(panel.mode, Mode::Input { .. }) {
        app.keymap
            .footer(Keys::Prompt, &[(Act::Open, "save"), (Act::Close, "cancel")])
    } else {
        app.keymap.footer(
            Keys::Migrations,
            &[
                (Act::Open, "switch"),
                (Act::New, "new"),
                (Act::Rename, "rename"),
                (Act::Delete, "delete / discard"),
                (Act::Close, "close"),
            ],
        )
    };
    let block = Block::bordered()
        .border_style(theme.overlay_border)
        .title(" Migrations ")
        .title_bottom(footer);
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(shown).block(block), rect);
}

fn mode_line(app: &App, panel: &Panel, catalog: &Catalog) -> Line<'static> {
    let theme = &app.theme;
    match &panel.mode {
        Mode::Browse => Line::from(Span::styled(
            format!(
                "{} makes a migration active; on an orphan, re-attaches it.",
                app.keymap
                    .overlay_label(Keys::Migrations, Act::Open)
                    .unwrap_or_default()
            ),
            theme.muted,
        )),
        Mode::Input {
            purpose,
            input,
            error,
        } => {
            let label = match purpose {
                crate::app::migrations::Purpose::Create { then_tick: Some(_) } => {
                    "Start a migration to tick in: "
                }
                crate::app::migrations::Purpose::Create { then_tick: None } => "New migration: ",
                crate::app::migrations::Purpose::Rename { .. } => "Rename to: ",
            };
            let mut spans = vec![
                Span::styled(label, theme.h3),
                Span::styled(format!("{}\u{2588}", input.value), theme.code_inline),
            ];
            if let Some(e) = error {
                spans.push(Span::styled(format!("  {e}"), theme.status_error));
            }
            Line::from(spans)
        }
        Mode::ConfirmDelete { name } => Line::from(Span::styled(
            format!("Delete migration {name} and all its ticks? {}", yes_no(app)),
            theme.status_error,
        )),
        Mode::ConfirmDiscard { .. } => Line::from(Span::styled(
            format!("Discard this orphaned tick? {}", yes_no(app)),
            theme.status_error,
        )),
        Mode::Reattach { selected, .. } => {
            let label = |a| {
                app.keymap
                    .overlay_label(Keys::Migrations, a)
                    .unwrap_or_default()
            };
            let item = catalog.items().get(*selected);
            let text = item.map_or("(no items)".to_string(), |i| {
                format!("{}  [{}]", i.text, i.guide)
            });
            Line::from(vec![
                Span::styled(
                    format!(
                        "Re-attach to ({}/{}, {}): ",
                        label(Act::Down),
                        label(Act::Up),
                        label(Act::Open)
                    ),
                    theme.h3,
                ),
                Span::styled(text, theme.code_inline),
            ])
        }
    }
}

/// `y / n`, from the live keys.
fn yes_no(app: &App) -> String {
    let km = &app.keymap;
    let yes = km
        .overlay_label(Keys::Migrations, Act::Yes)
        .unwrap_or_default();
    let no = km
        .overlay_label(Keys::Migrations, Act::No)
        .unwrap_or_default();
    format!("{yes} / {no}")
}

fn progress_of(
    catalog: &Catalog,
    c: &crate::app::checklist::Checklists,
    migration: &str,
) -> String {
    let total = catalog.len();
    let done = catalog
        .items()
        .iter()
        .filter(|i| {
            c.state
                .is_ticked(&c.set_key, migration, &i.id, i.default_checked)
        })
        .count();
    format!("{done}/{total}")
}

/// `3m ago`, `2h ago`, `5d ago`.
fn ago(t: SystemTime) -> String {
    let secs = SystemTime::now()
        .duration_since(t)
        .map_or(0, |d| d.as_secs());
    match secs {
        0..60 => "just now".to_string(),
        60..3600 => format!("{}m ago", secs / 60),
        3600..86_400 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

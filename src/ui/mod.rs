//! Drawing. Every function here reads the app state and writes cells; none changes state.

mod finder;
mod findings;
pub(crate) mod help;
mod migrations;
mod reader;
mod sidebar;
mod start;
mod status;

use ratatui::Frame;

use crate::app::{App, Overlay};

pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    // The app is laid out for the size it was last given; a frame of another size (a
    // resize between two queries) must still draw without writing outside its buffer.
    // The run loop sizes the app from this very frame, so this only guards.
    if app.size() != area {
        return;
    }
    let buf = frame.buffer_mut();
    if let Some(s) = app.areas.sidebar {
        sidebar::draw(buf, s, app);
    }
    reader::draw(buf, app);
    if let Some(s) = app.areas.status {
        status::draw(buf, s, app);
    }
    match &app.overlay {
        Some(Overlay::Help { scroll }) => help::draw_help(frame, app, *scroll),
        Some(Overlay::Messages { scroll }) => help::draw_messages(frame, app, *scroll),
        Some(Overlay::Migrations(panel)) => migrations::draw(frame, area, app, panel),
        Some(Overlay::Finder(f)) => finder::draw(frame, area, app, f),
        Some(Overlay::Findings(panel)) => findings::draw(frame, area, app, panel),
        Some(Overlay::Start { selected }) => start::draw(frame, area, app, *selected),
        None => {}
    }
}

/// A `width` × `height` rectangle centred in `area` (clipped to it).
pub(crate) fn centered(
    area: ratatui::layout::Rect,
    width: u16,
    height: u16,
) -> ratatui::layout::Rect {
    let (width, height) = (width.min(area.width), height.min(area.height));
    ratatui::layout::Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

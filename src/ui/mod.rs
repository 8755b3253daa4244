//! Drawing. Every function here reads the app state and writes cells; none changes state.

mod help;
mod reader;
mod sidebar;
mod status;

use ratatui::Frame;

use crate::app::{App, Overlay};

pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    if let Some(s) = app.areas.sidebar {
        sidebar::draw(buf, s, app);
    }
    reader::draw(buf, app);
    if let Some(s) = app.areas.status {
        status::draw(buf, s, app);
    }
    if let Some(Overlay::Help { scroll }) = app.overlay {
        help::draw(frame, area, app, scroll);
    }
}

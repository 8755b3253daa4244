//! A backend that writes nothing for a frame that changed nothing.
//!
//! ratatui finishes every frame with colour resets and a hide-cursor sequence, even when
//! no cell changed. The reader redraws after every step of idle work (laying out the rest
//! of a long guide after opening it or resizing), so an unchanged screen would still be
//! written to the terminal dozens of times; a screen that changes nothing now writes
//! nothing, and the output goes quiet as soon as what is shown is final.

use std::cell::Cell as Flag;
use std::rc::Rc;

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

pub struct Quiet<B> {
    inner: B,
    /// The cursor is hidden now (the terminal is entered with it hidden).
    hidden: bool,
    /// The last frame changed at least one cell (shared: a finished frame keeps the
    /// terminal borrowed, and the run loop asks while it holds it).
    drew: Rc<Flag<bool>>,
}

impl<B> Quiet<B> {
    /// Wraps a backend whose terminal already has its cursor hidden.
    pub fn new(inner: B) -> Quiet<B> {
        Quiet {
            inner,
            hidden: true,
            drew: Rc::default(),
        }
    }

    /// Says whether the last frame changed any cell (and so was written).
    pub fn drew(&self) -> Rc<Flag<bool>> {
        Rc::clone(&self.drew)
    }
}

impl<B: Backend> Backend for Quiet<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut content = content.peekable();
        self.drew.set(content.peek().is_some());
        if !self.drew.get() {
            return Ok(());
        }
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        if self.hidden {
            return Ok(());
        }
        self.hidden = true;
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.hidden = false;
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::text::Line;

    #[test]
    fn an_unchanged_frame_is_not_drawn_and_a_changed_one_is() {
        let mut terminal = Terminal::new(Quiet::new(TestBackend::new(10, 2))).expect("terminal");
        let mut frame = |text: &str| {
            terminal
                .draw(|f| f.render_widget(Line::from(text.to_string()), f.area()))
                .expect("draw");
            terminal.backend().drew().get()
        };
        assert!(frame("one"));
        assert!(!frame("one"));
        assert!(frame("two"));
        assert!(!frame("two"));
    }
}

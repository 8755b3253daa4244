//! Keys while an overlay is open. Each overlay looks keys up in its own table
//! ([`crate::keymap::Mode`]), so every key there is rebindable and its footer and the help
//! list what is really bound. The overlay is moved out of the app while its key is
//! handled, never cloned.

use crossterm::event::KeyEvent;

use super::list;
use super::{Action, App, Effect, Overlay};
use crate::keymap::{Mode, OverlayAction};

impl App {
    /// A key while an overlay is open; `None` when none is.
    pub(super) fn overlay_key(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        let overlay = self.overlay.take()?;
        Some(match overlay {
            Overlay::Help { scroll } => {
                let page = self.help_page();
                self.overlay = self
                    .page_key(
                        Mode::Help,
                        key,
                        scroll,
                        page.inner_height(),
                        page.max_scroll(),
                    )
                    .map(|scroll| Overlay::Help { scroll });
                Vec::new()
            }
            Overlay::Messages { scroll } => {
                let page = self.messages_page();
                self.overlay = self
                    .page_key(
                        Mode::Messages,
                        key,
                        scroll,
                        page.inner_height(),
                        page.max_scroll(),
                    )
                    .map(|scroll| Overlay::Messages { scroll });
                Vec::new()
            }
            Overlay::Start { selected } => self.start_key(selected, key),
            Overlay::Migrations(panel) => self.migrations_key(panel, key),
            Overlay::Finder(f) => self.finder_key(f, key),
            Overlay::Findings(panel) => self.findings_key(panel, key),
        })
    }

    /// Scrolling text: the new scroll, or `None` when the key closes it. The key that
    /// opened it (`?`, `M`, or whatever they are bound to) closes it too.
    fn page_key(
        &self,
        mode: Mode,
        key: &KeyEvent,
        scroll: usize,
        page: usize,
        max: usize,
    ) -> Option<usize> {
        let toggle = match mode {
            Mode::Help => Action::Help,
            _ => Action::Messages,
        };
        if self.keymap.actions(key).contains(&toggle) {
            return None;
        }
        match self.keymap.overlay_action(mode, key) {
            Some(OverlayAction::Close) => None,
            Some(a) => Some(match a.movement(page) {
                Some(delta) => scroll.saturating_add_signed(delta).min(max),
                None => scroll,
            }),
            None => Some(scroll),
        }
    }

    /// The mouse wheel over an open overlay: three rows of text, or one item of a list.
    pub(super) fn overlay_wheel(&mut self, down: bool) {
        let step: isize = if down { 1 } else { -1 };
        let Some(overlay) = self.overlay.take() else {
            return;
        };
        self.overlay = Some(match overlay {
            Overlay::Help { scroll } => Overlay::Help {
                scroll: scroll
                    .saturating_add_signed(step * 3)
                    .min(self.help_page().max_scroll()),
            },
            Overlay::Messages { scroll } => Overlay::Messages {
                scroll: scroll
                    .saturating_add_signed(step * 3)
                    .min(self.messages_page().max_scroll()),
            },
            Overlay::Start { selected } => Overlay::Start {
                selected: list::step(selected, step, self.set.guides.len()),
            },
            Overlay::Finder(mut f) => {
                f.selected = list::step(f.selected, step, f.hits.len());
                Overlay::Finder(f)
            }
            Overlay::Findings(mut panel) => {
                panel.selected = list::step(panel.selected, step, self.findings().len());
                Overlay::Findings(panel)
            }
            Overlay::Migrations(mut panel) => {
                let rows = super::migrations::Panel::rows(&self.checklists).len();
                if panel.mode == super::migrations::Mode::Browse {
                    panel.selected = list::step(panel.selected, step, rows);
                }
                Overlay::Migrations(panel)
            }
        });
    }

    /// Opens the messages overlay at its newest message.
    pub(super) fn open_messages(&mut self) {
        let scroll = self.messages_page().max_scroll();
        self.overlay = Some(Overlay::Messages { scroll });
    }

    /// Keys on the start screen: move, open, close.
    fn start_key(&mut self, selected: usize, key: &KeyEvent) -> Vec<Effect> {
        let n = self.set.guides.len();
        // Each guide takes about three rows; a page moves by what fits.
        let page = (self.height() / 3).max(1);
        match self.keymap.overlay_action(Mode::Start, key) {
            Some(OverlayAction::Open) => {
                self.open(selected, None);
                Vec::new()
            }
            Some(OverlayAction::Close) => Vec::new(),
            Some(OverlayAction::Quit) => {
                self.overlay = Some(Overlay::Start { selected });
                vec![Effect::Quit]
            }
            Some(a) => {
                let selected = match a.movement(page) {
                    Some(delta) => list::step(selected, delta, n),
                    None => selected,
                };
                self.overlay = Some(Overlay::Start { selected });
                Vec::new()
            }
            None => {
                self.overlay = Some(Overlay::Start { selected });
                Vec::new()
            }
        }
    }
}

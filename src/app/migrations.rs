//! The migrations panel (`m`): list, create, rename, delete (confirmed), switch the active
//! one, and deal with the active migration's orphaned ticks. Pure: keys in, [`Op`]s out.

use crossterm::event::KeyEvent;

use super::checklist::Checklists;
use super::list;
use super::text_input::{InputResult, TextInput};
use crate::checklist::Item;
use crate::checklist::ops::Op;
use crate::keymap::{Keymap, Mode as Keys, OverlayAction as Act};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Create { then_tick: Option<Item> },
    Rename { old: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Browse,
    Input {
        purpose: Purpose,
        input: TextInput,
        error: Option<String>,
    },
    ConfirmDelete {
        name: String,
    },
    ConfirmDiscard {
        id: String,
    },
    Reattach {
        orphan: String,
        selected: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    pub selected: usize,
    pub mode: Mode,
}

/// A row of the panel's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PanelRow {
    Migration(String),
    Orphan(String),
}

pub enum Outcome {
    Stay,
    Close,
    /// Save these ops; on success the reader's migration becomes `switch_to` (when set).
    Save {
        ops: Vec<Op>,
        switch_to: Option<Option<String>>,
        close: bool,
    },
}

impl Panel {
    pub fn browse() -> Panel {
        Panel {
            selected: 0,
            mode: Mode::Browse,
        }
    }

    /// Opened by ticking with no migration: asks for a name, then ticks.
    pub fn create_then_tick(default_name: &str, item: Item) -> Panel {
        Panel {
            selected: 0,
            mode: Mode::Input {
                purpose: Purpose::Create {
                    then_tick: Some(item),
                },
                input: TextInput::new(default_name),
                error: None,
            },
        }
    }

    pub fn rows(c: &Checklists) -> Vec<PanelRow> {
        let mut rows: Vec<PanelRow> = c
            .state
            .migrations(&c.set_key)
            .into_iter()
            .map(|m| PanelRow::Migration(m.name))
            .collect();
        rows.extend(c.orphans().into_iter().map(|(id, _)| PanelRow::Orphan(id)));
        rows
    }

    /// A key, looked up in the panel's own table (`[keys.in_migrations]`, or while naming
    /// a migration `[keys.in_prompt]`); `page` is the
    /// screen's height, for page moves.
    pub fn key(&mut self, key: &KeyEvent, keymap: &Keymap, c: &Checklists, page: usize) -> Outcome {
        let action = keymap.overlay_action(Keys::Migrations, key);
        match &mut self.mode {
            Mode::Browse => self.browse_key(action, c, page),
            Mode::Input {
                purpose,
                input,
                error,
            } => match input.key(key, keymap, Keys::Prompt) {
                InputResult::Editing => Outcome::Stay,
                InputResult::Cancel => {
                    let was_tick = matches!(purpose, Purpose::Create { then_tick: Some(_) });
                    self.mode = Mode::Browse;
                    if was_tick {
                        Outcome::Close
                    } else {
                        Outcome::Stay
                    }
                }
                InputResult::Submit => {
                    let name = input.value.trim().to_string();
                    if let Err(e) = crate::checklist::state::check_name(&name) {
                        *error = Some(e.to_string());
                        return Outcome::Stay;
                    }
                    let outcome = match purpose {
                        Purpose::Create { then_tick } => {
                            let mut ops = vec![
                                Op::Create { name: name.clone() },
                                Op::Activate { name: name.clone() },
                            ];
                            if let Some(item) = then_tick.take() {
                                // An item written `[x]` is done by default: the toggle unticks it.
                                let done = !item.default_checked;
                                ops.push(Op::SetTick {
                                    migration: name.clone(),
                                    item,
                                    done,
                                });
                            }
                            Outcome::Save {
                                ops,
                                switch_to: Some(Some(name)),
                                close: true,
                            }
                        }
                        Purpose::Rename { old } => {
                            let follows = c.migration.as_deref() == Some(old.as_str());
                            Outcome::Save {
                                ops: vec![Op::Rename {
                                    old: old.clone(),
                                    new: name.clone(),
                                }],
                                switch_to: follows.then_some(Some(name)),
                                close: false,
                            }
                        }
                    };
                    self.mode = Mode::Browse;
                    outcome
                }
            },
            Mode::ConfirmDelete { name } => {
                let name = name.clone();
                self.mode = Mode::Browse;
                if action == Some(Act::Yes) {
                    let current = c.migration.as_deref() == Some(name.as_str());
                    self.selected = self.selected.saturating_sub(1);
                    Outcome::Save {
                        ops: vec![Op::Delete { name }],
                        switch_to: current.then_some(None),
                        close: false,
                    }
                } else {
                    Outcome::Stay
                }
            }
            Mode::ConfirmDiscard { id } => {
                let id = id.clone();
                self.mode = Mode::Browse;
                match (action, c.migration.clone()) {
                    (Some(Act::Yes), Some(migration)) => Outcome::Save {
                        ops: vec![Op::Discard {
                            migration,
                            tick: id,
                        }],
                        switch_to: None,
                        close: false,
                    },
                    _ => Outcome::Stay,
                }
            }
            Mode::Reattach { orphan, selected } => {
                let items = c.catalog.as_ref().map_or(&[][..], |cat| cat.items());
                match action {
                    Some(Act::Open) => {
                        let (Some(target), Some(migration)) =
                            (items.get(*selected).cloned(), c.migration.clone())
                        else {
                            return Outcome::Stay;
                        };
                        let orphan = orphan.clone();
                        self.mode = Mode::Browse;
                        return Outcome::Save {
                            ops: vec![Op::Reattach {
                                migration,
                                orphan,
                                target,
                            }],
                            switch_to: None,
                            close: false,
                        };
                    }
                    Some(Act::Close | Act::No) => self.mode = Mode::Browse,
                    Some(a) => {
                        if let Some(delta) = a.movement(page) {
                            *selected = list::step(*selected, delta, items.len());
                        }
                    }
                    None => {}
                }
                Outcome::Stay
            }
        }
    }

    fn browse_key(&mut self, action: Option<Act>, c: &Checklists, page: usize) -> Outcome {
        let rows = Panel::rows(c);
        let row = rows.get(self.selected).cloned();
        match action {
            Some(Act::New) => {
                let input = TextInput::new("");
                self.mode = Mode::Input {
                    purpose: Purpose::Create { then_tick: None },
                    input,
                    error: None,
                };
                return Outcome::Stay;
            }
            Some(Act::Rename) => {
                if let Some(PanelRow::Migration(old)) = row {
                    let input = TextInput::new(&old);
                    self.mode = Mode::Input {
                        purpose: Purpose::Rename { old },
                        input,
                        error: None,
                    };
                }
                return Outcome::Stay;
            }
            Some(Act::Delete) => {
                self.mode = match row {
                    Some(PanelRow::Migration(name)) => Mode::ConfirmDelete { name },
                    Some(PanelRow::Orphan(id)) => Mode::ConfirmDiscard { id },
                    None => Mode::Browse,
                };
                return Outcome::Stay;
            }
            _ => {}
        }
        match action {
            Some(Act::Open) => match row {
                Some(PanelRow::Migration(name)) => {
                    return Outcome::Save {
                        ops: vec![Op::Activate { name: name.clone() }],
                        switch_to: Some(Some(name)),
                        close: true,
                    };
                }
                Some(PanelRow::Orphan(orphan)) => {
                    self.mode = Mode::Reattach {
                        orphan,
                        selected: 0,
                    }
                }
                None => {}
            },
            Some(Act::Close) => return Outcome::Close,
            Some(a) => {
                if let Some(delta) = a.movement(page) {
                    self.selected = list::step(self.selected, delta, rows.len());
                }
            }
            None => {}
        }
        Outcome::Stay
    }
}

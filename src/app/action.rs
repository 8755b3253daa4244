//! Every way the reader's state can change. Keys, the mouse and tests all speak in these.

/// A user intent. Keys map to actions in exactly one place ([`crate::keymap`]); the
/// meaning of some depends on focus (in the sidebar, `ScrollDown` moves the selection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ScrollDown,
    ScrollUp,
    HalfPageDown,
    HalfPageUp,
    PageDown,
    PageUp,
    Top,
    Bottom,
    NextHeading,
    PrevHeading,
    NextCode,
    PrevCode,
    NextLink,
    PrevLink,
    Open,
    Edit,
    StartScreen,
    Finder,
    Search,
    NextMatch,
    PrevMatch,
    CopyBlock,
    CopyLine,
    NextGuide,
    PrevGuide,
    Fold,
    Unfold,
    FoldAll,
    UnfoldAll,
    Back,
    Forward,
    ToggleTask,
    NextTask,
    PrevTask,
    Migrations,
    Findings,
    FocusNext,
    Help,
    Messages,
    Cancel,
    Suspend,
    Quit,
}

/// Name (as used in key binding tables), help group and description of every action, in
/// the order the help overlay lists them.
#[rustfmt::skip]
pub const ACTIONS: &[(Action, &str, Group, &str)] = &[
    (Action::ScrollDown, "scroll_down", Group::Move, "scroll down / next item"),
    (Action::ScrollUp, "scroll_up", Group::Move, "scroll up / previous item"),
    (Action::HalfPageDown, "half_page_down", Group::Move, "half a page down"),
    (Action::HalfPageUp, "half_page_up", Group::Move, "half a page up"),
    (Action::PageDown, "page_down", Group::Move, "page down"),
    (Action::PageUp, "page_up", Group::Move, "page up"),
    (Action::Top, "top", Group::Move, "go to the top"),
    (Action::Bottom, "bottom", Group::Move, "go to the end"),
    (Action::NextHeading, "next_heading", Group::Jump, "next heading"),
    (Action::PrevHeading, "prev_heading", Group::Jump, "previous heading"),
    (Action::NextCode, "next_code", Group::Jump, "select next code block"),
    (Action::PrevCode, "prev_code", Group::Jump, "select previous code block"),
    (Action::NextLink, "next_link", Group::Jump, "select next link"),
    (Action::PrevLink, "prev_link", Group::Jump, "select previous link"),
    (Action::Open, "open", Group::Jump, "open selected guide, heading or link, or fold a folder"),
    (Action::Finder, "finder", Group::Search, "find anything in every guide; symbols get a lookup card"),
    (Action::Search, "search", Group::Search, "search this guide"),
    (Action::NextMatch, "next_match", Group::Search, "next match (while searching)"),
    (Action::PrevMatch, "prev_match", Group::Search, "previous match"),
    (Action::CopyBlock, "copy_block", Group::Search, "copy the selected code block, or the link's URL"),
    (Action::CopyLine, "copy_line", Group::Search, "copy the line at the cursor"),
    (Action::NextGuide, "next_guide", Group::Guides, "next guide in reading order"),
    (Action::StartScreen, "start_screen", Group::Guides, "start screen: every guide with its progress"),
    (Action::Edit, "edit", Group::Guides, "edit this guide in $VISUAL / $EDITOR at this line"),
    (Action::PrevGuide, "prev_guide", Group::Guides, "previous guide"),
    (Action::Fold, "fold", Group::Guides, "sidebar: fold the folder, or go to its parent"),
    (Action::Unfold, "unfold", Group::Guides, "sidebar: unfold the folder, or open the guide"),
    (Action::FoldAll, "fold_all", Group::Guides, "sidebar: fold every folder"),
    (Action::UnfoldAll, "unfold_all", Group::Guides, "sidebar: unfold every folder"),
    (Action::Back, "back", Group::Guides, "back in history"),
    (Action::Forward, "forward", Group::Guides, "forward in history"),
    (Action::ToggleTask, "toggle_task", Group::Checklist, "tick / untick the selected item, or fold a folder"),
    (Action::NextTask, "next_task", Group::Checklist, "select next open item"),
    (Action::PrevTask, "prev_task", Group::Checklist, "select previous open item"),
    (Action::Migrations, "migrations", Group::Checklist, "migrations panel"),
    (Action::Findings, "findings", Group::Checklist, "findings: the code base's retired imports, by file"),
    (Action::FocusNext, "focus_next", Group::General, "switch focus: sidebar / reader / checklist"),
    (Action::Help, "help", Group::General, "show or hide this help"),
    (Action::Messages, "messages", Group::General, "the last status messages, in full"),
    (Action::Cancel, "cancel", Group::General, "close overlay, clear search or selection"),
    (Action::Suspend, "suspend", Group::General, "suspend to the shell (fg returns)"),
    (Action::Quit, "quit", Group::General, "quit"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Move,
    Jump,
    Search,
    Guides,
    Checklist,
    General,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Move => "Moving",
            Group::Jump => "Jumping",
            Group::Search => "Search and copy",
            Group::Guides => "Guides and history",
            Group::Checklist => "Checklists",
            Group::General => "General",
        }
    }
}

impl Action {
    pub fn name(self) -> &'static str {
        ACTIONS.iter().find(|a| a.0 == self).map_or("?", |a| a.1)
    }

    pub fn description(self) -> &'static str {
        ACTIONS.iter().find(|a| a.0 == self).map_or("", |a| a.3)
    }

    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|a| a.1 == name).map(|a| a.0)
    }

    /// Actions that apply only in some situations (a selected checklist item, a search
    /// with matches, the sidebar focused). Only these may share a key with another action: where they do not
    /// apply, the key falls through to the other one (see `App::handle_key`).
    pub fn is_contextual(self) -> bool {
        matches!(
            self,
            Action::ToggleTask
                | Action::NextMatch
                | Action::PrevMatch
                | Action::Fold
                | Action::Unfold
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (a, name, _, desc) in ACTIONS {
            assert!(seen.insert(*name), "duplicate {name}");
            assert_eq!(Action::from_name(name), Some(*a));
            assert!(!desc.is_empty());
        }
    }
}

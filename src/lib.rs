//! devguide: a terminal browser for a team's developer guides.
//!
//! The library holds everything; `main.rs` only parses the command line and dispatches,
//! so tests and benches reach every part.

pub mod app;
pub mod appearance;
pub mod checklist;
pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod doc;
pub mod highlight;
pub mod keymap;
pub mod layout;
pub mod log;
pub mod lookup;
pub mod lsp;
pub mod mojibake;
pub mod opener;
pub mod palettes;
pub mod sanitize;
pub mod scan;
pub mod search;
pub mod theme;
pub mod tui;
pub mod ui;
pub mod version;

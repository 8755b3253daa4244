//! The command line, as clap types. Parsing only: `main.rs` dispatches.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCandidates;

use crate::commands::completions::{guide_candidates, migration_candidates};
use crate::config::ThemeName;

#[derive(Debug, Parser)]
#[command(
    name = "devguide",
    version,
    about = "Browse your team's developer guides in the terminal",
    long_about = "Browse your team's developer guides in the terminal: an outline beside the \
reader, highlighted code snippets, links between guides, and checklists whose ticks are kept \
per migration.\n\nWith no DOC, opens the first guide of the set. The bundled guide set is used \
unless --dir names a folder of markdown files.",
    after_help = "Examples:\n  devguide                           open the bundled guides\n  \
devguide quick-reference            open a guide by id\n  \
devguide import-guide#migration-guide  open at a heading\n  \
devguide --dir docs/guides          browse a folder of markdown\n  \
devguide notes/setup.md             open one markdown file\n  \
devguide show quick-reference | less   render to stdout\n\n\
Settings are read from $XDG_CONFIG_HOME/devguide/config.toml (see `devguide config path`); \
`devguide config default` prints every setting with its default."
)]
pub struct Cli {
    /// Guide to open: an id, a file name, or a path to a markdown file; add #anchor for a heading
    #[arg(value_name = "DOC[#anchor]", add = ArgValueCandidates::new(guide_candidates))]
    pub doc: Option<String>,

    #[command(flatten)]
    pub set: SetArgs,

    /// Leave the mouse to the terminal, so its own text selection works
    #[arg(long)]
    pub no_mouse: bool,

    /// Migration whose checklist ticks are shown and changed
    #[arg(long, value_name = "NAME", global = true, add = ArgValueCandidates::new(migration_candidates))]
    pub migration: Option<String>,

    /// Configuration file [env: DEVGUIDE_CONFIG; default: $XDG_CONFIG_HOME/devguide/config.toml]
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Colour theme [default: the config's `theme`, else auto: dark or light from the
    /// terminal's background]
    #[arg(long, value_enum, global = true)]
    pub theme: Option<ThemeName>,

    /// When to use colour; `auto` follows the terminal and NO_COLOR
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct SetArgs {
    /// Folder of markdown guides to browse (recursively) instead of the bundled set
    #[arg(long, value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,

    /// Checklist state file [env: DEVGUIDE_STATE; default: .devguide/state.json in this
    /// folder or a parent, else the user state folder]
    #[arg(long, value_name = "FILE", global = true)]
    pub state: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the guides in the set
    List {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
        /// Also list files that were skipped, and why
        #[arg(long)]
        skipped: bool,
        /// Parse every guide now: neither read nor write the cache in $XDG_CACHE_HOME/devguide
        #[arg(long)]
        no_cache: bool,
    },
    /// Render a guide (or one section of it) to stdout
    Show {
        /// Guide id, file name or markdown path, optionally with #anchor
        #[arg(value_name = "DOC[#anchor]", add = ArgValueCandidates::new(guide_candidates))]
        doc: String,
        /// Wrap width in columns [default: the terminal's width, else 80]
        #[arg(long, value_name = "N")]
        width: Option<u16>,
        /// Also print notices about the file (bad front matter, invalid UTF-8)
        #[arg(long, short)]
        verbose: bool,
    },
    /// Work with migration checklists (ticks kept per migration)
    #[command(subcommand)]
    Checklist(ChecklistCommand),
    /// The import to write for a symbol, from the guides' own code blocks: canonical
    /// first, then deprecated and problematic forms with the guide's reasons. Exits 1 with
    /// near matches when no guide imports the symbol
    Lookup {
        /// Name to import, e.g. WebSocketManager or get_websocket_manager
        symbol: String,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Search titles, headings, code lines and text of every guide, ranked as in the
    /// reader's finder; prints `guide#anchor:line: text`. Exits 1 when nothing matches
    Search {
        /// Words to find (fuzzy; an uppercase letter makes it case-sensitive)
        query: String,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
        /// Most results to print
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
        /// Parse every guide now: neither read nor write the cache in $XDG_CACHE_HOME/devguide
        #[arg(long)]
        no_cache: bool,
    },
    /// The configuration file: where it is, its defaults, its problems
    #[command(subcommand)]
    Config(ConfigCommand),
    /// List the colour themes and syntax themes
    Themes,
    /// Write the bundled guides into DIR as editable markdown
    Export {
        /// Folder to write into (created if missing)
        dir: PathBuf,
        /// Overwrite files that already exist
        #[arg(long, short)]
        force: bool,
    },
    /// Print a shell completion script (guide ids and migration names complete too)
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff), e.g. `devguide man | man -l -`
    Man,
}

#[derive(Debug, Subcommand, Clone, Copy)]
pub enum ConfigCommand {
    /// Print the path of the configuration file in use (flag > DEVGUIDE_CONFIG > default)
    Path,
    /// Print the default configuration, with comments: a starting point for your own
    Default,
    /// Check the configuration file; lists every problem, exits 1 when there is one
    Check,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

impl Shell {
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Powershell => "powershell",
            Shell::Elvish => "elvish",
        }
    }
}

#[derive(Debug, Subcommand, Clone)]
pub enum ChecklistCommand {
    /// Migrations with their progress
    List {
        #[arg(long)]
        json: bool,
    },
    /// Start a new migration
    New { name: String },
    /// Rename a migration
    Rename { old: String, new: String },
    /// Delete a migration and its ticks
    Rm {
        name: String,
        /// Do not ask for confirmation
        #[arg(long, short)]
        yes: bool,
    },
    /// Every checklist item of a migration, numbered, with its state
    Show {
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Tick items: by number (from `show`) or by a text fragment matching one item
    Tick {
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        #[arg(required = true, value_name = "ITEM")]
        items: Vec<String>,
    },
    /// Untick items: by number or text fragment
    Untick {
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        #[arg(required = true, value_name = "ITEM")]
        items: Vec<String>,
    },
    /// One-line summary; exits 0 when every item is ticked, 1 otherwise
    Status {
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
    },
    /// Create a shared state file, .devguide/state.json, in this folder
    Init {
        /// Create it in the current folder (team mode, shared through git)
        #[arg(long)]
        here: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn doc_and_global_flags_parse() {
        let cli = Cli::parse_from([
            "devguide",
            "quick-reference#type-checking",
            "--dir",
            "d",
            "--no-mouse",
        ]);
        assert_eq!(cli.doc.as_deref(), Some("quick-reference#type-checking"));
        assert_eq!(cli.set.dir, Some(PathBuf::from("d")));
        assert!(cli.no_mouse);
        let cli = Cli::parse_from(["devguide", "show", "x", "--dir", "d", "--width", "40"]);
        assert!(matches!(
            cli.command,
            Some(Command::Show {
                width: Some(40),
                ..
            })
        ));
        assert_eq!(cli.set.dir, Some(PathBuf::from("d")));
    }
}

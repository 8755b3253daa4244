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
devguide show quick-reference | less   render to stdout\n  \
cat notes.md | devguide -            read markdown from stdin\n  \
devguide check --dir docs           check the links of a folder of guides\n\n\
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

    /// Write what the reader does, and background failures, to FILE [env: DEVGUIDE_LOG]
    #[arg(long, value_name = "FILE", global = true)]
    pub log: Option<PathBuf>,

    /// Print the environment devguide detected (terminal, colours, paths), for bug reports
    #[arg(long, global = true)]
    pub debug: bool,

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
        /// Also list files that were skipped (or folders that could not be read), and why
        #[arg(long)]
        skipped: bool,
        /// Do not print problems with guides (bad front matter, invalid UTF-8) on stderr
        #[arg(long, short)]
        quiet: bool,
        /// Parse every guide now: neither read nor write the cache in $XDG_CACHE_HOME/devguide
        #[arg(long)]
        no_cache: bool,
    },
    /// Render a guide (or one section of it) to stdout; `-` reads markdown from stdin
    Show {
        /// Guide id, file name or markdown path, optionally with #anchor; `-` for stdin
        #[arg(value_name = "DOC[#anchor]", add = ArgValueCandidates::new(guide_candidates))]
        doc: String,
        /// Wrap width in columns, code included [default: the terminal's width, else 80;
        /// into a pipe, code lines are never broken]
        #[arg(long, value_name = "N")]
        width: Option<u16>,
        /// Problems with the guide are printed on stderr by default (kept for scripts)
        #[arg(long, short, hide = true)]
        verbose: bool,
        /// Do not print problems with the guide (bad front matter, invalid UTF-8) on stderr
        #[arg(long, short, conflicts_with = "verbose")]
        quiet: bool,
    },
    /// Check the links of the guide set: guides and headings that do not exist, includes
    /// that cannot be read, duplicate heading ids, checklist items sharing an id, chapters
    /// of a book no reading order reaches. Exits 0 when clean, 1 on problems, 2 on error
    Check {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
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
        /// `file:line:col:text` lines with the guides' real file paths, for quickfix,
        /// telescope and fzf-lua
        #[arg(long, conflicts_with = "json")]
        vimgrep: bool,
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
        /// `file:line:col:text` lines with the guides' real file paths, for quickfix,
        /// telescope and fzf-lua
        #[arg(long, conflicts_with = "json")]
        vimgrep: bool,
        /// Parse every guide now: neither read nor write the cache in $XDG_CACHE_HOME/devguide
        #[arg(long)]
        no_cache: bool,
    },
    /// Language server over stdio: diagnostics, hover, completion and code actions from
    /// the guides, in any editor with an LSP client
    Lsp(LspArgs),
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
    /// Find the imports the guides call deprecated or problematic in Python code, with the
    /// guide's reason and replacement. Exits 0 when none are found, 1 when some are, 2 on
    /// error
    Scan {
        /// Files or folders to scan [default: the current folder]
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format: grouped by file, versioned JSON, SARIF 2.1.0, or GitHub Actions
        /// annotations
        #[arg(long, value_enum, default_value_t = ScanFormat::Human)]
        format: ScanFormat,
    },
    /// Rewrite imports the guides give a one-to-one replacement for; everything else is
    /// reported. Exits 0 when nothing is left, 1 when findings remain, 2 on error
    Fix {
        /// Files or folders to fix [default: the current folder]
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Print a unified diff of the changes and write nothing
        #[arg(long)]
        diff: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ScanFormat {
    #[default]
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Args, Clone, Default)]
pub struct LspArgs {
    /// Append the server's log (requests that failed, panics, guide reloads) to FILE
    /// [default: stderr, which editors keep in their LSP log]
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Accepted for clients that always pass it; stdio is the only transport
    #[arg(long, hide = true)]
    pub stdio: bool,
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
    /// One-line summary, for CI. Exit codes: 0 every item ticked, 1 items still open,
    /// 2 error (unknown migration, unreadable or refused state)
    Status {
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        /// Also run the items' built-in checks (`<!-- devguide: scan -->`) on the code in
        /// PATH (default: the current folder); fails while findings remain
        #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = ".")]
        verify: Option<PathBuf>,
    },
    /// Ticks whose item is no longer in the guides, each with the items it may belong
    /// to now, closest first
    Orphans {
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Move an orphaned tick onto an item; with --auto, every orphan that is clearly one
    /// item reworded
    Reattach {
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        /// The orphan's number (from `orphans`) or id
        #[arg(required_unless_present = "auto", requires = "item")]
        orphan: Option<String>,
        /// The item: by number or text fragment, as for `tick`
        #[arg(required_unless_present = "auto")]
        item: Option<String>,
        /// Carry forward each orphan with exactly one clearly matching item
        #[arg(long, conflicts_with_all = ["orphan", "item"])]
        auto: bool,
    },
    /// Drop an orphaned tick
    Discard {
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        /// The orphan's number (from `orphans`) or id
        orphan: String,
    },
    /// Who ticked and unticked what, and when, newest first
    Log {
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        #[arg(long)]
        json: bool,
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

//! The command line, as clap types. Parsing only: `main.rs` dispatches.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCandidates;

use crate::commands::completions::{guide_candidates, migration_candidates};
use crate::config::ThemeName;

/// The Examples block of `devguide --help`: each description starts in one column.
pub(crate) const EXAMPLES: &str = "Examples:
  devguide                               open the bundled guides
  devguide quick-reference               open a guide by id
  devguide import-guide#migration-guide  open at a heading
  devguide --dir docs/guides             browse a folder of markdown
  devguide notes/setup.md                open one markdown file
  devguide show quick-reference | less   render to stdout
  devguide check --dir docs              check the links of a folder of guides
  devguide scan src/                     find the imports the guides retire
  cat notes.md | devguide -              read markdown from stdin

Settings are read from $XDG_CONFIG_HOME/devguide/config.toml (see `devguide config path`); \
`devguide config default` prints every setting with its default.";

// Options shared by several commands live in small groups below, flattened into each
// command that uses them, so `--help` of a command lists only what it reads. The reader
// (no subcommand) takes its options before or after DOC; a subcommand takes its own after
// its name. `Cli::common` gathers them for `main`, whichever command carried them.

#[derive(Debug, Parser)]
#[command(
    name = "devguide",
    version = crate::version::VERSION,
    about = "Browse your team's developer guides in the terminal",
    long_about = "Browse your team's developer guides in the terminal: an outline beside the \
reader, highlighted code snippets, links between guides, and checklists whose ticks are kept \
per migration.\n\nWith no DOC, opens the first guide of the set. The bundled guide set is used \
unless --dir names a folder of markdown files.",
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Guide to open: an id, a file name, or a path to a markdown file; add #anchor for a heading
    #[arg(value_name = "DOC[#anchor]", add = ArgValueCandidates::new(guide_candidates))]
    pub doc: Option<String>,

    #[command(flatten)]
    pub set: SetArgs,

    #[command(flatten)]
    pub state: StateArg,

    #[command(flatten)]
    pub migration: MigrationArg,

    #[command(flatten)]
    pub config: ConfigArg,

    #[command(flatten)]
    pub look: LookArgs,

    /// Leave the mouse to the terminal, so its own text selection works
    #[arg(long)]
    pub no_mouse: bool,

    /// The code base to check against the guides (findings overlay `F`, live state of
    /// self-verifying checklist items) [default: the team folder's project, else the
    /// config's `code`]
    #[arg(long, value_name = "PATH")]
    pub code: Option<PathBuf>,

    /// Write what the reader does, and background failures, to FILE [env: DEVGUIDE_LOG]
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,

    /// Print the environment devguide detected (terminal, colours, paths), for bug reports
    #[arg(long)]
    pub debug: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The options every command may need, gathered from wherever the command line put them.
#[derive(Debug, Clone, Default)]
pub struct Common {
    pub config: Option<PathBuf>,
    pub set: SetArgs,
    pub state: Option<PathBuf>,
    pub migration: Option<String>,
    pub theme: Option<ThemeName>,
    pub color: ColorChoice,
}

impl Cli {
    /// The shared options of this command line. Every command is listed, so a new one has
    /// to say which groups it takes.
    pub fn common(&self) -> Common {
        let Some(command) = &self.command else {
            return Common {
                config: self.config.config.clone(),
                set: self.set.clone(),
                state: self.state.state.clone(),
                migration: self.migration.migration.clone(),
                theme: self.look.theme,
                color: self.look.color,
            };
        };
        let with_set = |set: &SetArgs, config: &ConfigArg| Common {
            config: config.config.clone(),
            set: set.clone(),
            ..Common::default()
        };
        match command {
            Command::List { set, config, .. }
            | Command::Lookup { set, config, .. }
            | Command::Search { set, config, .. }
            | Command::Check { set, config, .. }
            | Command::Fix { set, config, .. } => with_set(set, config),
            Command::Lsp(args) => with_set(&args.set, &args.config),
            Command::Scan {
                set,
                config,
                state,
                migration,
                ..
            } => Common {
                state: state.state.clone(),
                migration: migration.migration.clone(),
                ..with_set(set, config)
            },
            Command::Show {
                set, config, look, ..
            } => Common {
                theme: look.theme,
                color: look.color,
                ..with_set(set, config)
            },
            Command::Checklist(args) => Common {
                config: args.config.clone(),
                set: SetArgs {
                    dir: args.dir.clone(),
                },
                state: args.state.clone(),
                migration: match &args.command {
                    ChecklistCommand::List { migration, .. } => migration.clone(),
                    _ => None,
                },
                ..Common::default()
            },
            Command::Config(cmd) => Common {
                config: cmd.config().and_then(|c| c.config.clone()),
                ..Common::default()
            },
            Command::Themes { config } => Common {
                config: config.config.clone(),
                ..Common::default()
            },
            Command::Export { .. } | Command::Completions { .. } | Command::Man { .. } => {
                Common::default()
            }
        }
    }
}

/// Where the guides come from.
#[derive(Debug, Args, Clone, Default)]
pub struct SetArgs {
    /// Folder of markdown guides to browse (recursively) instead of the bundled set
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

const STATE_HELP: &str = "Checklist state file [env: DEVGUIDE_STATE; default: \
.devguide/state.json in this folder or a parent, else the user state folder]";
const CONFIG_HELP: &str = "Configuration file [env: DEVGUIDE_CONFIG; default: \
$XDG_CONFIG_HOME/devguide/config.toml]";
const DIR_HELP: &str = "Folder of markdown guides (recursively) whose checklists these are, instead of the bundled set";

/// Where checklist ticks are kept.
#[derive(Debug, Args, Clone, Default)]
pub struct StateArg {
    #[arg(long, value_name = "FILE", help = STATE_HELP)]
    pub state: Option<PathBuf>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct MigrationArg {
    /// Migration whose checklist ticks are shown and changed
    #[arg(long, value_name = "NAME", add = ArgValueCandidates::new(migration_candidates))]
    pub migration: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ConfigArg {
    #[arg(long, value_name = "FILE", help = CONFIG_HELP)]
    pub config: Option<PathBuf>,
}

/// How rendered text looks.
#[derive(Debug, Args, Clone, Default)]
pub struct LookArgs {
    /// Colour theme [default: the config's `theme`, else auto: dark or light from the
    /// terminal's background]
    #[arg(long, value_enum)]
    pub theme: Option<ThemeName>,

    /// When to use colour; `auto` follows the terminal and NO_COLOR
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
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
        #[command(flatten)]
        set: SetArgs,
        #[command(flatten)]
        config: ConfigArg,
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
        #[command(flatten)]
        set: SetArgs,
        #[command(flatten)]
        look: LookArgs,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Check the links of the guide set: guides and headings that do not exist, includes
    /// that cannot be read, duplicate heading ids, checklist items sharing an id, chapters
    /// of a book no reading order reaches. Exits 0 when clean, 1 on problems, 2 on error
    Check {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        set: SetArgs,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Work with migration checklists (ticks kept per migration)
    Checklist(ChecklistArgs),
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
        #[command(flatten)]
        set: SetArgs,
        #[command(flatten)]
        config: ConfigArg,
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
        #[command(flatten)]
        set: SetArgs,
        #[command(flatten)]
        config: ConfigArg,
    },
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
        /// Colour of the human format; `auto` follows the terminal and NO_COLOR
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        #[command(flatten)]
        set: SetArgs,
        #[command(flatten)]
        config: ConfigArg,
        // `--migration NAME` records the scan's summary in that migration's state.
        #[command(flatten)]
        migration: MigrationArg,
        #[command(flatten)]
        state: StateArg,
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
        #[command(flatten)]
        set: SetArgs,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Language server over stdio: diagnostics, hover, completion and code actions from
    /// the guides, in any editor with an LSP client
    Lsp(LspArgs),
    /// The configuration file: where it is, its defaults, its problems
    #[command(subcommand)]
    Config(ConfigCommand),
    /// List the colour themes and syntax themes
    Themes {
        #[command(flatten)]
        config: ConfigArg,
    },
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
        /// Shell to print the script for
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff), e.g. `devguide man | man -l -`; with --dir, write
    /// one page per command into a folder
    Man {
        /// Write devguide.1 and a page per subcommand (devguide-show.1, …) into this folder
        /// instead of printing devguide.1
        #[arg(long, value_name = "OUT")]
        dir: Option<PathBuf>,
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
    #[command(flatten)]
    pub set: SetArgs,
    #[command(flatten)]
    pub config: ConfigArg,
}

/// A `--NAME FILE` option accepted but not shown in help.
fn hidden_path(name: &'static str) -> clap::Arg {
    clap::Arg::new(name)
        .long(name)
        .global(true)
        .hide(true)
        .value_parser(clap::value_parser!(PathBuf))
}

/// `devguide checklist …`: the options every checklist command reads, then the command.
/// They are global within `checklist`, so they go after the command's own arguments.
#[derive(Debug, Args, Clone)]
#[command(
    subcommand_required = true,
    arg_required_else_help = true,
    // `init` reads neither the guides nor the settings: keep those out of its help.
    mut_subcommand("init", |c| c.arg(hidden_path("dir")).arg(hidden_path("config")))
)]
pub struct ChecklistArgs {
    #[arg(long, value_name = "DIR", global = true, help = DIR_HELP)]
    pub dir: Option<PathBuf>,
    #[arg(long, value_name = "FILE", global = true, help = STATE_HELP)]
    pub state: Option<PathBuf>,
    #[arg(long, value_name = "FILE", global = true, help = CONFIG_HELP)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: ChecklistCommand,
}

#[derive(Debug, Subcommand, Clone)]
pub enum ConfigCommand {
    /// Print the path of the configuration file in use (flag > DEVGUIDE_CONFIG > default)
    Path {
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Print the default configuration, with comments: a starting point for your own
    Default,
    /// Check the configuration file; lists every problem, exits 1 when there is one
    Check {
        #[command(flatten)]
        config: ConfigArg,
    },
}

impl ConfigCommand {
    fn config(&self) -> Option<&ConfigArg> {
        match self {
            ConfigCommand::Path { config } | ConfigCommand::Check { config } => Some(config),
            ConfigCommand::Default => None,
        }
    }
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
        /// Machine-readable output
        #[arg(long)]
        json: bool,
        /// Migration to mark as active [default: the one last active in the reader]
        #[arg(long, value_name = "NAME", add = ArgValueCandidates::new(migration_candidates))]
        migration: Option<String>,
    },
    /// Start a new migration
    New {
        /// Name of the migration, e.g. auth-service or PR-1234
        name: String,
    },
    /// Rename a migration; its ticks go with it
    Rename {
        /// Current name
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        old: String,
        /// New name
        new: String,
    },
    /// Delete a migration and its ticks
    Rm {
        /// Migration to delete
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        /// Do not ask for confirmation
        #[arg(long, short)]
        yes: bool,
    },
    /// Every checklist item of a migration, numbered, with its state
    Show {
        /// Migration whose ticks are shown
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        /// Machine-readable output, with a `format` version
        #[arg(long)]
        json: bool,
    },
    /// Tick items: by number (from `show`) or by a text fragment matching one item
    Tick {
        /// Migration to tick items in
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        /// An item number from `checklist show NAME`, or a text fragment that matches
        /// exactly one item
        #[arg(required = true, value_name = "ITEM")]
        items: Vec<String>,
    },
    /// Untick items: by number or text fragment
    Untick {
        /// Migration to untick items in
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        /// An item number from `checklist show NAME`, or a text fragment that matches
        /// exactly one item
        #[arg(required = true, value_name = "ITEM")]
        items: Vec<String>,
    },
    /// One-line summary, for CI. Exit codes: 0 every item ticked, 1 items still open,
    /// 2 error (unknown migration, unreadable or refused state)
    Status {
        /// Migration to summarise
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
        /// Migration whose orphaned ticks are listed
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Move an orphaned tick onto an item; with --auto, every orphan that is clearly one
    /// item reworded
    Reattach {
        /// Migration the tick belongs to
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
        /// Migration the tick belongs to
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        /// The orphan's number (from `orphans`) or id
        orphan: String,
    },
    /// Who ticked and unticked what, and when, newest first
    Log {
        /// Migration whose changes are listed
        #[arg(add = ArgValueCandidates::new(migration_candidates))]
        name: String,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Create a shared state file, .devguide/state.json, in the current folder
    Init {
        /// Yes, in the current folder (team mode, shared through git). Required, because
        /// the file is meant to be committed: creating it by accident in the wrong folder
        /// would quietly move everyone's ticks there
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
    fn reader_options_parse_around_doc() {
        let cli = Cli::parse_from([
            "devguide",
            "quick-reference#type-checking",
            "--dir",
            "d",
            "--no-mouse",
            "--migration",
            "m",
        ]);
        assert_eq!(cli.doc.as_deref(), Some("quick-reference#type-checking"));
        assert!(cli.no_mouse);
        let common = cli.common();
        assert_eq!(common.set.dir, Some(PathBuf::from("d")));
        assert_eq!(common.migration.as_deref(), Some("m"));
    }

    #[test]
    fn subcommand_options_reach_common() {
        let cli = Cli::parse_from(["devguide", "show", "x", "--dir", "d", "--width", "40"]);
        assert!(matches!(
            cli.command,
            Some(Command::Show {
                width: Some(40),
                ..
            })
        ));
        assert_eq!(cli.common().set.dir, Some(PathBuf::from("d")));
        let cli = Cli::parse_from([
            "devguide",
            "checklist",
            "tick",
            "m",
            "1",
            "--state",
            "s",
            "--dir",
            "d",
        ]);
        let common = cli.common();
        assert_eq!(common.state, Some(PathBuf::from("s")));
        assert_eq!(common.set.dir, Some(PathBuf::from("d")));
        // Within `checklist` the options may also come before the command.
        let cli = Cli::parse_from(["devguide", "checklist", "--state", "s", "status", "m"]);
        assert_eq!(cli.common().state, Some(PathBuf::from("s")));
        let cli = Cli::parse_from(["devguide", "config", "path", "--config", "c.toml"]);
        assert_eq!(cli.common().config, Some(PathBuf::from("c.toml")));
    }

    /// Options a command does not read are refused, not silently ignored.
    #[test]
    fn options_are_refused_where_they_mean_nothing() {
        for args in [
            &["devguide", "man", "--state", "s"][..],
            &["devguide", "export", "out", "--theme", "dark"],
            &["devguide", "list", "--migration", "m"],
            &["devguide", "config", "default", "--config", "c"],
        ] {
            let err = Cli::try_parse_from(args).expect_err("refused");
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
        // Before a subcommand, options belong to the reader and the name is taken for a
        // guide (`main` turns a miss into a usage error naming the command).
        let cli = Cli::parse_from(["devguide", "--theme", "dark", "list"]);
        assert!(cli.command.is_none());
        assert_eq!(cli.doc.as_deref(), Some("list"));
    }

    /// Every argument and option of every command says what it is for.
    #[test]
    fn every_argument_has_a_description() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                let shown = !arg.is_hide_set() && !matches!(id, "help" | "version");
                if shown && arg.get_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "devguide", &mut missing);
        assert!(missing.is_empty(), "no description: {missing:?}");
    }

    /// `man --help` shows none of the reader's options; `checklist tick --help` shows the
    /// state file but not the theme.
    #[test]
    fn help_lists_only_the_options_that_apply() {
        let mut cmd = Cli::command();
        cmd.build();
        let longs = |path: &[&str]| -> Vec<String> {
            let mut c = &cmd;
            for p in path {
                c = c.find_subcommand(p).expect("subcommand");
            }
            c.get_arguments()
                .filter(|a| !a.is_hide_set())
                .filter_map(|a| a.get_long().map(str::to_string))
                .collect()
        };
        assert_eq!(longs(&["man"]), ["dir", "help"]);
        assert_eq!(longs(&["export"]), ["force", "help"]);
        let tick = longs(&["checklist", "tick"]);
        for want in ["state", "dir", "config"] {
            assert!(tick.iter().any(|l| l == want), "{want} missing: {tick:?}");
        }
        for unwanted in ["theme", "color", "migration", "no-mouse"] {
            assert!(!tick.iter().any(|l| l == unwanted), "{unwanted}: {tick:?}");
        }
        let mut init = longs(&["checklist", "init"]);
        init.sort();
        assert_eq!(init, ["help", "here", "state"]);
        let show = longs(&["show"]);
        assert!(show.iter().any(|l| l == "theme") && !show.iter().any(|l| l == "state"));
    }

    /// In `devguide --help` as printed, each example's description starts in the same
    /// column.
    #[test]
    fn examples_are_aligned() {
        let help = Cli::command().term_width(100).render_help().to_string();
        let examples = help.split("Examples:").nth(1).expect("an Examples block");
        let columns: Vec<usize> = examples
            .lines()
            .filter(|l| l.starts_with("  devguide"))
            .map(|l| {
                // Past the indent, the command ends where two spaces begin.
                let gap = 2 + l[2..].find("  ").expect("a description after the command");
                l.len() - l[gap..].trim_start().len()
            })
            .collect();
        assert!(columns.len() >= 5, "{columns:?}");
        assert!(columns.windows(2).all(|w| w[0] == w[1]), "{columns:?}");
    }
}

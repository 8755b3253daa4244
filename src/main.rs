use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use devguide::app::checklist::Checklists;
use devguide::app::{App, Settings};
use devguide::appearance::{self, Variant};
use devguide::checklist::{self, Store};
use devguide::cli::{Cli, ColorChoice, Command, Common};
use devguide::commands::{self, Target, show};
use devguide::config::{self, Loaded};
use devguide::theme::ColorMode;

fn main() -> ExitCode {
    // `COMPLETE=<shell> devguide …` is the shell asking for completions.
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(commands::completions::COMPLETE_VAR)
        .complete();
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if commands::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Errors quote paths and names from the command line: defuse them as well.
            let msg = devguide::sanitize::sanitize(&format!("{e:#}")).into_owned();
            let _ = writeln!(std::io::stderr(), "devguide: {msg}");
            ExitCode::from(1)
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut common = cli.common();
    let mut loaded = config::load(common.config.as_deref());
    if common.set.dir.is_none() {
        let (dir, problem) = commands::configured_dir(&loaded);
        common.set.dir = dir;
        loaded.problems.extend(problem);
    }
    // Commands about the configuration report its problems themselves; the others get
    // one line on stderr, the reader a status message.
    let warn = || {
        if let Some(line) = config::summary(&loaded.problems) {
            let _ = writeln!(std::io::stderr(), "devguide: {line}");
        }
    };
    match cli.command {
        Some(Command::Config(ref cmd)) => commands::config::run(cmd, &loaded, &mut stdout.lock()),
        Some(Command::Themes { .. }) => commands::config::themes(&loaded, &mut stdout.lock()),
        Some(Command::Man { ref dir }) => commands::man::run(dir.as_deref(), &mut stdout.lock()),
        Some(Command::Completions { shell }) => {
            commands::completions::run(shell, &mut stdout.lock())
        }
        Some(Command::Export { ref dir, force }) => {
            commands::export::run(dir, force, &mut stdout.lock())
        }
        Some(Command::List { json, skipped, .. }) => {
            warn();
            let set = commands::load_set(&common.set)?;
            commands::list::run(&set, json, skipped, &mut stdout.lock())
        }
        Some(Command::Show {
            ref doc,
            width,
            verbose,
            ..
        }) => {
            warn();
            let (set, target) = commands::open_target(&common.set, Some(doc))?;
            let target = target.unwrap_or(Target {
                guide: 0,
                anchor: None,
            });
            let opts = show_options(&common, &loaded, width, verbose);
            show::run(&set, &target, &opts, &mut stdout.lock(), &mut stderr.lock())
        }
        Some(Command::Checklist(ref args)) => {
            warn();
            let set = commands::load_set(&common.set)?;
            commands::checklist::run(
                &args.command,
                &set,
                common.state.as_deref(),
                common.migration.as_deref(),
                &mut stdout.lock(),
                &mut stderr.lock(),
            )
        }
        Some(Command::Lookup {
            ref symbol, json, ..
        }) => {
            let set = commands::load_set(&common.set)?;
            commands::lookup::run(&set, symbol, json, &mut stdout.lock(), &mut stderr.lock())
        }
        Some(Command::Search {
            ref query,
            json,
            limit,
            ..
        }) => {
            let set = commands::load_set(&common.set)?;
            commands::search::run(
                &set,
                query,
                json,
                limit,
                &mut stdout.lock(),
                &mut stderr.lock(),
            )
        }
        None => {
            let (set, target) = match commands::open_target(&common.set, cli.doc.as_deref()) {
                Ok(found) => found,
                Err(e) => return misplaced_options(cli.doc.as_deref()).ok_or(e),
            };
            if !stdout.is_terminal() || devguide::theme::term_is_dumb() {
                // Into a pipe, or a terminal that cannot move the cursor (an editor's shell
                // buffer): print the guide instead of drawing a screen.
                warn();
                let target = target.unwrap_or(Target {
                    guide: 0,
                    anchor: None,
                });
                let opts = show_options(&common, &loaded, None, false);
                return show::run(&set, &target, &opts, &mut stdout.lock(), &mut stderr.lock());
            }
            let colorterm = std::env::var("COLORTERM").ok();
            let mode =
                appearance::color_mode(common.color, ColorMode::detect(), colorterm.as_deref());
            let variant = appearance::variant(
                common.theme,
                loaded.config.theme,
                std::env::var("COLORFGBG").ok().as_deref(),
                || {
                    (mode != ColorMode::None)
                        .then(|| {
                            devguide::tui::background::query(devguide::tui::background::TIMEOUT)
                        })
                        .flatten()
                },
            );
            let mut app = App::new(set, variant.theme(mode), loaded.config.keymap());
            app.settings = reader_settings(&loaded, variant);
            let store =
                reader_checklists(&mut app, common.state.as_deref(), common.migration.clone());
            let reading = app.checklists.state.reading(&app.checklists.set_key);
            match target {
                // A guide named on the command line opens there; no start screen.
                Some(t) => {
                    app.reading = reading.unwrap_or_default();
                    app.start_at(t.guide, t.anchor.as_deref());
                }
                None => app.resume_or_welcome(reading),
            }
            if let Some(line) = config::summary(&loaded.problems) {
                app.set_status(line, true);
            }
            let mouse = loaded.config.mouse && !cli.no_mouse;
            devguide::tui::run(app, mouse, store)
        }
    }
}

/// `devguide --theme dark list`: options before a subcommand belong to the reader, so
/// `list` was taken for a guide. When no such guide exists, say where the options go
/// (a usage error, exit 2) rather than "no guide 'list'".
fn misplaced_options(doc: Option<&str>) -> Option<u8> {
    let doc = doc?;
    Cli::command().find_subcommand(doc)?;
    let doc = devguide::sanitize::sanitize_line(doc);
    let _ = writeln!(
        std::io::stderr(),
        "devguide: `{doc}` is a command: put its options after it (`devguide {doc} --help` lists them)"
    );
    Some(2)
}

fn reader_settings(loaded: &Loaded, variant: Variant) -> Settings {
    Settings {
        wrap_width: loaded.config.wrap_width,
        clipboard: loaded.config.clipboard,
        syntax_theme: syntax_theme(loaded, variant),
        browser: loaded.config.browser.clone(),
    }
}

fn syntax_theme(loaded: &Loaded, variant: Variant) -> String {
    loaded
        .config
        .syntax_theme
        .clone()
        .unwrap_or_else(|| variant.syntax_theme().to_string())
}

/// `show` colours with the configured theme; for `auto` it reads `COLORFGBG` only, as
/// its output may not go to the terminal it would ask.
fn show_options(
    common: &Common,
    loaded: &Loaded,
    width: Option<u16>,
    verbose: bool,
) -> show::Options {
    let mut opts = show::Options::resolve(width, common.color, verbose);
    opts.variant = appearance::variant(
        common.theme,
        loaded.config.theme,
        std::env::var("COLORFGBG").ok().as_deref(),
        || None,
    );
    opts.syntax_theme = syntax_theme(loaded, opts.variant);
    if common.color == ColorChoice::Never {
        opts.color = false;
    }
    opts
}

/// Opens the checklist state file for the reader. Problems never stop the reader: they
/// become a message and a read-only (or unsaved) checklist.
fn reader_checklists(
    app: &mut App,
    state_flag: Option<&std::path::Path>,
    migration: Option<String>,
) -> Option<Store> {
    let set_key = app.set.identity();
    let location = match checklist::location::resolve_current(state_flag) {
        Ok(l) => l,
        Err(e) => {
            app.attach_checklists(Checklists::detached(set_key, format!("{e:#}")), Vec::new());
            return None;
        }
    };
    let opened = Store::open(&location.path);
    let cwd = std::env::current_dir().unwrap_or_default();
    let read_only = opened.store.read_only().map(str::to_string);
    let mut store = opened.store;
    let mut notices = opened.notices;
    let mut view = Checklists::new(
        set_key,
        opened.state,
        migration,
        read_only,
        checklist::default_migration_name(&cwd),
    );
    // `Store::open` read each set's active migration; one asked for by name may not be.
    if let Some(m) = view.migration.clone() {
        notices.extend(store.load_migration(&mut view.state, &view.set_key, &m));
    }
    app.attach_checklists(view, notices);
    Some(store)
}

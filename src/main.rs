use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use devguide::app::App;
use devguide::app::checklist::Checklists;
use devguide::checklist::{self, Store};
use devguide::cli::{Cli, ColorChoice, Command};
use devguide::commands::{self, Target, show};
use devguide::keymap::Keymap;
use devguide::theme::{ColorMode, Theme};

fn main() -> ExitCode {
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
    match cli.command {
        Some(Command::List { json, skipped }) => {
            let set = commands::load_set(&cli.set)?;
            commands::list::run(&set, json, skipped, &mut stdout.lock())
        }
        Some(Command::Show {
            ref doc,
            width,
            color,
            verbose,
        }) => {
            let (set, target) = commands::open_target(&cli.set, Some(doc))?;
            let target = target.unwrap_or(Target {
                guide: 0,
                anchor: None,
            });
            let opts = show::Options::resolve(width, color, verbose);
            show::run(&set, &target, &opts, &mut stdout.lock(), &mut stderr.lock())
        }
        Some(Command::Checklist(ref cmd)) => {
            let set = commands::load_set(&cli.set)?;
            commands::checklist::run(
                cmd,
                &set,
                cli.set.state.as_deref(),
                cli.migration.as_deref(),
                &mut stdout.lock(),
                &mut stderr.lock(),
            )
        }
        None => {
            let (set, target) = commands::open_target(&cli.set, cli.doc.as_deref())?;
            if !stdout.is_terminal() || devguide::theme::term_is_dumb() {
                // Into a pipe, or a terminal that cannot move the cursor (an editor's shell
                // buffer): print the guide instead of drawing a screen.
                let target = target.unwrap_or(Target {
                    guide: 0,
                    anchor: None,
                });
                let opts = show::Options::resolve(None, ColorChoice::Auto, false);
                return show::run(&set, &target, &opts, &mut stdout.lock(), &mut stderr.lock());
            }
            let mut app = App::new(set, Theme::for_mode(ColorMode::detect()), Keymap::default());
            let store =
                reader_checklists(&mut app, cli.set.state.as_deref(), cli.migration.clone());
            if let Some(t) = target {
                app.start_at(t.guide, t.anchor.as_deref());
            }
            devguide::tui::run(app, !cli.no_mouse, store)
        }
    }
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
    let view = Checklists::new(
        set_key,
        opened.state,
        migration,
        read_only,
        checklist::default_migration_name(&cwd),
    );
    app.attach_checklists(view, opened.notices);
    Some(opened.store)
}

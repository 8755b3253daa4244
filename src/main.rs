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

/// How long a bare `devguide` waits for piped input to start before showing the guide
/// set instead.
const PIPE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

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
            // Errors quote paths and names from the command line: defused like every notice.
            let msg = format!("{e:#}");
            devguide::log::write(&msg);
            let _ = devguide::sanitize::notice(&mut std::io::stderr(), &msg);
            ExitCode::from(1)
        }
    }
}

fn dispatch(mut cli: Cli) -> anyhow::Result<u8> {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut common = cli.common();
    let mut loaded = config::load(common.config.as_deref());
    if let Some(Command::Lsp(ref args)) = cli.command {
        // The server tells `--dir` from the configured folders (a workspace's team guides
        // come between them), so it takes both before they are merged below.
        return commands::lsp::run(args, common.set.dir.clone(), &loaded);
    }
    if common.set.dir.is_none() {
        let (dir, problem) = commands::configured_dir(&loaded);
        common.set.dir = dir;
        loaded.problems.extend(problem);
    }
    // Commands about the configuration report its problems themselves; the others get
    // one line on stderr, the reader a status message.
    // Configuration values inside the line may hold escape sequences: `notice` defuses.
    let warn = || {
        if let Some(line) = config::summary(&loaded.problems) {
            let _ = devguide::sanitize::notice(&mut std::io::stderr(), &line);
        }
    };
    if cli.log.is_none() {
        cli.log = std::env::var_os("DEVGUIDE_LOG")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from);
    }
    if let Some(path) = &cli.log
        && let Err(e) = devguide::log::init(path)
    {
        let _ = devguide::sanitize::notice(&mut std::io::stderr(), &e);
    }
    if cli.debug {
        let report = devguide::tui::debug::report(&common, cli.log.as_deref(), &loaded);
        let _ = devguide::sanitize::notice(&mut std::io::stderr(), "environment, for bug reports:");
        for line in report {
            let _ = writeln!(
                std::io::stderr(),
                "  {}",
                devguide::sanitize::sanitize(&line)
            );
        }
    }
    match cli.command {
        Some(Command::Config(ref cmd)) => commands::config::run(cmd, &loaded, &mut stdout.lock()),
        Some(Command::Themes { .. }) => commands::config::themes(&loaded, &mut stdout.lock()),
        Some(Command::Man { ref dir }) => commands::man::run(dir.as_deref(), &mut stdout.lock()),
        // Served above, before the configured folders became `--dir`.
        Some(Command::Lsp(ref args)) => commands::lsp::run(args, common.set.dir.clone(), &loaded),
        Some(Command::Completions { shell }) => {
            commands::completions::run(shell, &mut stdout.lock())
        }
        Some(Command::Export { ref dir, force }) => {
            commands::export::run(dir, force, &mut stdout.lock())
        }
        Some(Command::List {
            json,
            skipped,
            quiet,
            no_cache,
            ..
        }) => {
            warn();
            let (set, mut cache) = commands::load_set_cached(&common.set, !no_cache, true)?;
            if !quiet {
                commands::print_notices(
                    set.guides.iter().flat_map(|g| &g.notices),
                    &mut stderr.lock(),
                )?;
            }
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
            let code = commands::list::run(&set, &mut cache, json, skipped, &mut out)?;
            out.flush()?;
            leave_to_exit((set, cache));
            Ok(code)
        }
        Some(Command::Check { json, .. }) => {
            warn();
            // A set that cannot be loaded is an error (2), not a finding (1).
            match commands::load_set(&common.set) {
                Ok(set) => commands::check::run(&set, json, &mut stdout.lock()),
                Err(e) => {
                    let msg = devguide::sanitize::sanitize(&format!("{e:#}")).into_owned();
                    let _ = writeln!(std::io::stderr(), "devguide: {msg}");
                    Ok(2)
                }
            }
        }
        Some(Command::Show {
            ref doc,
            width,
            quiet,
            ..
        }) => {
            warn();
            let (set, target) = commands::open_target(&common.set, Some(doc))?;
            let target = target.unwrap_or(Target {
                guide: 0,
                anchor: None,
            });
            let opts = show_options(&common, &loaded, width, quiet);
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
            ref symbol,
            json,
            vimgrep,
            ..
        }) => {
            let set = commands::load_set(&common.set)?;
            commands::lookup::run(
                &set,
                symbol,
                json,
                vimgrep,
                &mut stdout.lock(),
                &mut stderr.lock(),
            )
        }
        Some(Command::Search {
            ref query,
            json,
            limit,
            vimgrep,
            no_cache,
            ..
        }) => {
            // `--vimgrep` prints the lines of the files: they are read, not vouched for
            // by the cache.
            let (set, mut cache) = commands::load_set_cached(&common.set, !no_cache, !vimgrep)?;
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
            let code = commands::search::run(
                &set,
                &mut cache,
                query,
                commands::search::Options {
                    json,
                    vimgrep,
                    limit,
                },
                &mut out,
                &mut stderr.lock(),
            )?;
            out.flush()?;
            leave_to_exit((set, cache));
            Ok(code)
        }
        Some(Command::Scan {
            ref paths,
            format,
            color,
            ..
        }) => {
            warn();
            let set = commands::load_set(&common.set)?;
            let color = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    stdout.is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            // Thousands of findings: one write per buffer, not per line.
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
            let (code, report) =
                commands::scan::run(&set, paths, format, color, &mut out, &mut stderr.lock())?;
            out.flush()?;
            if let (Some(m), Some(report)) = (common.migration.as_deref(), report)
                && !commands::scan::record(
                    &set,
                    common.state.as_deref(),
                    m,
                    &report,
                    &mut stderr.lock(),
                )?
            {
                return Ok(2);
            }
            Ok(code)
        }
        Some(Command::Fix {
            ref paths, diff, ..
        }) => {
            warn();
            let set = commands::load_set(&common.set)?;
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
            let mut err = std::io::BufWriter::new(stderr.lock());
            let code = commands::fix::run(&set, paths, diff, &mut out, &mut err)?;
            out.flush()?;
            err.flush()?;
            Ok(code)
        }
        None => {
            // `cat notes.md | devguide` reads what is piped; keys then come from the
            // terminal itself (crossterm reads /dev/tty when stdin is not one).
            let piped = match cli.doc {
                None => commands::piped_guide(PIPE_WAIT),
                Some(_) => None,
            };
            // Into a pipe, or a terminal that cannot move the cursor (an editor's shell
            // buffer): print the guide instead of drawing a screen.
            let print = !stdout.is_terminal() || devguide::theme::term_is_dumb();
            // The screen needs only a large file's first part to start; printing needs all.
            let open_target = if print {
                commands::open_target
            } else {
                devguide::tui::heap::return_large_blocks_when_freed();
                commands::open_reader_target
            };
            let (set, target) = match piped {
                Some(set) => (
                    set?,
                    Some(Target {
                        guide: 0,
                        anchor: None,
                    }),
                ),
                // Only the guide on screen is read before the first frame.
                None => match open_target(&common.set, cli.doc.as_deref()) {
                    Ok(found) => found,
                    Err(e) => return misplaced_options(cli.doc.as_deref()).ok_or(e),
                },
            };
            if print {
                warn();
                let target = target.unwrap_or(Target {
                    guide: 0,
                    anchor: None,
                });
                let mut set = set;
                set.read_body(target.guide)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
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
            app.set_code_base(reader_code_base(
                cli.code.clone(),
                store.as_ref(),
                loaded.config.code.clone(),
            ));
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
            devguide::log::write(&format!(
                "reader: {} guide(s), colour {:?}, theme {:?}, mouse {mouse}",
                app.set.guides.len(),
                mode,
                variant
            ));
            devguide::tui::run(app, mouse, store)
        }
    }
}

/// A command's last big values, left for the exit to reclaim: freeing a thousand guides'
/// strings one by one costs more than the rest of a cached `list`.
fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
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
    quiet: bool,
) -> show::Options {
    let mut opts = show::Options::resolve(width, common.color, quiet);
    opts.variant = appearance::variant(
        common.theme,
        loaded.config.theme,
        std::env::var("COLORFGBG").ok().as_deref(),
        || None,
    );
    opts.syntax_theme = syntax_theme(loaded, opts.variant);
    // `show` is the last thing the process does.
    opts.leave_allocated = true;
    if common.color == ColorChoice::Never {
        opts.color = false;
    }
    opts
}

/// The code base the reader checks: `--code`, else the project of team mode (the state
/// file in use is a `.devguide/state.json` found from here), else the config's `code`.
fn reader_code_base(
    flag: Option<std::path::PathBuf>,
    store: Option<&Store>,
    config: Option<std::path::PathBuf>,
) -> Option<devguide::app::findings::CodeBase> {
    let team = store
        .map(Store::path)
        .filter(|p| p.ends_with(checklist::location::TEAM_STATE));
    devguide::app::findings::CodeBase::choose(flag, team, config)
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
    // The reader saves on its own thread of input: wait less than the command line, and
    // let the status bar say why a tick was not kept.
    store.set_lock_wait(std::time::Duration::from_secs(2), None);
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

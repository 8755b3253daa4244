use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::action::{ACTIONS, Action};
use crate::keymap::{DEFAULT_BINDINGS, Key};

fn parse(text: &str) -> (Config, Vec<Problem>) {
    let mut c = Config::default();
    let problems = c.apply(text, "config.toml", Some(Path::new("/cfg")));
    (c, problems)
}

fn press(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn embedded_default_parses_cleanly_and_sets_every_setting() {
    let mut c = Config::default();
    let problems = c.apply(DEFAULT_TOML, "<default>", None);
    assert_eq!(problems, []);
    let (table, errors) = DeTable::parse_recoverable(DEFAULT_TOML);
    assert!(errors.is_empty());
    let written: Vec<&str> = table
        .get_ref()
        .keys()
        .map(|k| k.get_ref().as_ref())
        .collect();
    let mut expected: Vec<&str> = SETTINGS.to_vec();
    expected.sort_unstable();
    assert_eq!(written, expected, "default.toml must write every setting");
    let keys = table.get_ref().get("keys").map(|k| k.get_ref().clone());
    let Some(DeValue::Table(keys)) = keys else {
        panic!("[keys] missing")
    };
    let actions: HashSet<&str> = keys
        .keys()
        .map(|k| k.get_ref().as_ref())
        .filter(|k| crate::keymap::Mode::from_name(k).is_none())
        .collect();
    let all: HashSet<&str> = ACTIONS.iter().map(|a| a.1).collect();
    assert_eq!(actions, all, "default.toml binds every action");
    // Every overlay's table is written out in full, and matches the built-in one.
    assert_eq!(
        c.overlay_keys,
        crate::keymap::default_overlay_bindings(),
        "default.toml's [keys.in_*] sections match the built-in tables"
    );
    assert_eq!(c.wrap_width, crate::app::MAX_TEXT_WIDTH);
    assert_eq!(c.theme, ThemeName::Auto);
    assert_eq!(c.syntax_theme, None);
    assert!(c.mouse);
    assert_eq!(c.clipboard, ClipboardMode::Both);
    assert!(c.guides.is_empty());
}

#[test]
fn default_keymap_equals_the_embedded_keys_table() {
    let from_file = Config::default().keymap();
    let builtin = crate::keymap::Keymap::default();
    let pairs = |km: &crate::keymap::Keymap| -> HashSet<(Key, Action)> {
        km.bindings().iter().copied().collect()
    };
    assert_eq!(pairs(&from_file), pairs(&builtin));
    // Same resolution order for every key that carries two actions.
    for (_, keys) in DEFAULT_BINDINGS {
        for k in *keys {
            let key = Key::parse(k).expect("parses");
            let ev = KeyEvent::new(key.code, key.mods);
            assert_eq!(from_file.actions(&ev), builtin.actions(&ev), "{k}");
        }
    }
}

#[test]
fn a_valid_file_changes_what_it_names_and_nothing_else() {
    let (c, problems) = parse(
        r#"
theme = "light"
syntax_theme = "nord"
mouse = false
clipboard = "osc52"
guides = ["docs/guides", "~/team-guides", "/abs"]
wrap_width = 80

[keys]
quit = ["Q", "ctrl-q"]
"#,
    );
    assert_eq!(problems, []);
    assert_eq!(c.theme, ThemeName::Light);
    assert_eq!(c.syntax_theme.as_deref(), Some("Nord"));
    assert!(!c.mouse);
    assert_eq!(c.clipboard, ClipboardMode::Osc52);
    assert_eq!(c.wrap_width, 80);
    assert_eq!(c.guides[0], PathBuf::from("/cfg/docs/guides"));
    if let Some(home) = dirs::home_dir() {
        assert_eq!(c.guides[1], home.join("team-guides"));
    }
    assert_eq!(c.guides[2], PathBuf::from("/abs"));
    let km = c.keymap();
    assert_eq!(km.action(&press('Q')), Some(Action::Quit));
    assert_eq!(km.action(&press('q')), None, "q was replaced");
    assert_eq!(
        km.action(&press('j')),
        Some(Action::ScrollDown),
        "others kept"
    );
    assert_eq!(km.labels(Action::Quit), "Q, Ctrl-q");
}

#[test]
fn an_unknown_setting_is_reported_with_its_line_and_the_valid_names() {
    let (c, problems) = parse("wrap_width = 90\ncolour = \"red\"\nmouse = false\n");
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = &problems[0];
    assert_eq!((p.file.as_str(), p.line), ("config.toml", 2));
    assert!(p.message.contains("`colour`"), "{p}");
    assert!(p.message.contains("theme, syntax_theme, mouse"), "{p}");
    assert_eq!(p.to_string(), format!("config.toml:2: {}", p.message));
    // The rest of the file still applies.
    assert_eq!(c.wrap_width, 90);
    assert!(!c.mouse);
}

#[test]
fn bad_values_are_reported_and_keep_their_defaults() {
    let text = "theme = \"blue\"\nmouse = \"yes\"\nclipboard = 3\nwrap_width = 5\n\
                syntax_theme = \"nope\"\nguides = 7\n";
    let (c, problems) = parse(text);
    let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [1, 2, 3, 4, 5, 6], "{problems:#?}");
    let all = problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    for needle in [
        "\"auto\", \"dark\", \"light\", \"high-contrast\"",
        "true or false",
        "\"osc52\", \"native\", \"both\", \"off\"",
        "from 20 to 1000",
        "\"Nord\"",
        "list of folders",
    ] {
        assert!(all.contains(needle), "missing {needle} in\n{all}");
    }
    assert_eq!(c, Config::default());
}

#[test]
fn broken_toml_is_reported_with_its_line() {
    let (c, problems) = parse("wrap_width = 70\ntheme = \"dark\nmouse = false\n");
    assert!(!problems.is_empty());
    assert_eq!(problems[0].line, 2, "{problems:?}");
    assert!(
        problems[0].message.contains("not valid TOML"),
        "{problems:?}"
    );
    assert_eq!(c.wrap_width, 70, "settings before the error still apply");
}

#[test]
fn key_problems_name_the_action_or_key_and_the_choices() {
    let (c, problems) = parse("[keys]\nquitt = [\"q\"]\nhelp = [\"hyper-x\"]\ntop = 3\n");
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert_eq!(problems[0].line, 2);
    assert!(problems[0].message.contains("unknown action `quitt`"));
    assert!(problems[0].message.contains("scroll_down"), "lists actions");
    assert_eq!(problems[1].line, 3);
    assert!(problems[1].message.contains("`hyper-x` is not a key"));
    assert!(problems[1].message.contains("pagedown"), "lists key names");
    assert_eq!(problems[2].line, 4);
    // The bad entries keep their defaults.
    assert_eq!(c.keymap().labels(Action::Help), "?");
    assert_eq!(c.keymap().labels(Action::Top), "g, Home");
}

#[test]
fn a_key_bound_to_two_plain_actions_is_a_conflict_and_stays_with_the_old_one() {
    let (c, problems) = parse("[keys]\nnext_guide = [\"q\", \"N\", \"]\"]\n");
    // q is quit's; `]` is next_heading's. N is prev_match's, which is contextual: allowed.
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems.iter().all(|p| p.line == 2));
    assert!(
        problems[0]
            .message
            .contains("`q` is bound to both `quit` and `next_guide`")
    );
    assert!(problems[1].message.contains("`next_heading`"));
    let km = c.keymap();
    assert_eq!(km.action(&press('q')), Some(Action::Quit));
    assert_eq!(km.labels(Action::NextGuide), "N");
    assert_eq!(
        km.actions(&press('N')),
        [Action::PrevMatch, Action::NextGuide]
    );
}

#[test]
fn a_context_action_may_share_a_key_with_one_other_action_only() {
    // Allowed: toggle_task (contextual) with open.
    let (c, problems) = parse("[keys]\ntoggle_task = [\"enter\"]\n");
    assert_eq!(problems, []);
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(
        c.keymap().actions(&enter),
        [Action::ToggleTask, Action::Open]
    );
    // Not allowed: two contextual actions on one key (both apply during a search).
    let (c, problems) = parse("[keys]\nnext_match = [\"space\"]\n");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .message
            .contains("`toggle_task` and `next_match`")
    );
    assert_eq!(c.keymap().labels(Action::NextMatch), "");
    // Context actions are tried first whatever the order in the file.
    let (c, problems) = parse("[keys]\npage_down = [\"space\"]\ntoggle_task = [\"space\"]\n");
    assert_eq!(problems, []);
    assert_eq!(
        c.keymap().actions(&press(' ')),
        [Action::ToggleTask, Action::PageDown]
    );
}

#[test]
fn the_default_bindings_have_no_conflict() {
    assert_eq!(keys::conflicts(&Config::default().keys), []);
    let (c, _) = parse("[keys]\nsearch = [\"q\"]\n");
    assert_eq!(keys::conflicts(&c.keys), [], "conflicts are never kept");
}

#[test]
fn an_overlay_key_is_rebound_in_its_own_section_and_help_shows_it() {
    let (c, problems) =
        parse("[keys.in_help]\nclose = [\"ctrl-g\"]\n[keys.in_finder]\nclose = [\"x\"]\n");
    assert_eq!(
        problems.len(),
        1,
        "x would be typed in the finder: {problems:?}"
    );
    assert!(problems[0].message.contains("types text"), "{problems:?}");
    let km = c.keymap();
    let esc = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Esc,
        crossterm::event::KeyModifiers::NONE,
    );
    assert_eq!(km.overlay_action(crate::keymap::Mode::Help, &esc), None);
    assert_eq!(
        km.overlay_labels(
            crate::keymap::Mode::Help,
            crate::keymap::OverlayAction::Close
        ),
        "Ctrl-g"
    );
    let app = crate::app::App::new(
        crate::content::GuideSet::bundled(),
        crate::theme::Theme::for_mode(crate::theme::ColorMode::None),
        km,
    );
    let page = app.help_page();
    let in_help = page
        .rows
        .iter()
        .skip_while(|r| r.text != "In this help")
        .find(|r| r.text == "close")
        .expect("help lists the help's own keys");
    assert!(in_help.keys.contains("Ctrl-g"), "{in_help:?}");
}

#[test]
fn an_empty_list_unbinds_and_the_help_overlay_follows_the_config() {
    let (c, problems) = parse("[keys]\nmigrations = []\nhelp = [\"f1\"]\n");
    assert_eq!(problems, []);
    let app = crate::app::App::new(
        crate::content::GuideSet::bundled(),
        crate::theme::Theme::for_mode(crate::theme::ColorMode::None),
        c.keymap(),
    );
    let help: Vec<String> = app
        .help_page()
        .rows
        .iter()
        .map(|r| format!("{} {}", r.keys, r.text))
        .collect();
    let line = |desc: &str| help.iter().find(|l| l.contains(desc)).cloned();
    assert!(
        line("show or hide this help").is_some_and(|l| l.contains("F1")),
        "{help:?}"
    );
    assert_eq!(line("  m "), None, "unbound actions are not listed");
}

#[test]
fn file_precedence_is_flag_then_environment_then_user_file() {
    let flag = Path::new("/flag.toml");
    let env = std::ffi::OsStr::new("/env.toml");
    let xdg = std::ffi::OsStr::new("/xdg");
    assert_eq!(
        locate(Some(flag), Some(env), Some(xdg)),
        Some((flag.to_path_buf(), Origin::Flag))
    );
    assert_eq!(
        locate(None, Some(env), Some(xdg)),
        Some((PathBuf::from("/env.toml"), Origin::Env))
    );
    assert_eq!(
        locate(None, Some(std::ffi::OsStr::new("")), Some(xdg)),
        Some((PathBuf::from("/xdg/devguide/config.toml"), Origin::UserFile))
    );
    // A relative XDG_CONFIG_HOME is ignored, as the spec says.
    let rel = locate(None, None, Some(std::ffi::OsStr::new("rel")));
    assert_ne!(
        rel.map(|(p, _)| p),
        Some(PathBuf::from("rel/devguide/config.toml"))
    );
}

#[test]
fn file_settings_override_defaults_and_missing_files_behave_by_origin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "wrap_width = 60\n").expect("write");
    let loaded = load_from(Some((file.clone(), Origin::Env)));
    assert_eq!(loaded.problems, []);
    assert_eq!(loaded.config.wrap_width, 60);
    assert_eq!(loaded.config.theme, Config::default().theme);
    // The per-user file may be absent; a file asked for by name may not.
    let missing = dir.path().join("missing.toml");
    let quiet = load_from(Some((missing.clone(), Origin::UserFile)));
    assert_eq!(quiet.problems, []);
    let loud = load_from(Some((missing, Origin::Flag)));
    assert_eq!(loud.problems.len(), 1);
    assert!(loud.problems[0].message.contains("--config"));
    assert_eq!(loud.config, Config::default());
}

#[test]
fn summary_names_the_first_problem_and_counts_the_rest() {
    assert_eq!(summary(&[]), None);
    let (_, problems) = parse("a = 1\nb = 2\n");
    let s = summary(&problems).expect("some");
    assert!(
        s.starts_with("config: config.toml:1: unknown setting `a`"),
        "{s}"
    );
    assert!(s.contains("(+1 more)"), "{s}");
}

#[cfg(unix)]
#[test]
fn a_config_that_is_a_device_or_fifo_is_refused_without_waiting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("config.toml");
    let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for path in [fifo, PathBuf::from("/dev/zero")] {
        let loaded = load_from(Some((path.clone(), Origin::Flag)));
        assert_eq!(loaded.problems.len(), 1, "{path:?}");
        assert!(
            loaded.problems[0].message.contains("not a regular file"),
            "{:?}",
            loaded.problems
        );
    }
}

#[test]
fn the_text_editing_and_name_prompt_tables_are_checked_like_the_others() {
    use crate::keymap::{Mode, OverlayAction};
    let (c, problems) = parse(
        "[keys.in_text]\nclear = [\"ctrl-w\"]\nleft = [\"h\"]\nundo = [\"ctrl-z\"]\n\
         [keys.in_prompt]\nopen = [\"ctrl-s\"]\nclose = [\"q\"]\n",
    );
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].message.contains("types text"), "{problems:?}");
    assert!(
        problems[1]
            .message
            .contains("unknown action `undo` in [keys.in_text]"),
        "{problems:?}"
    );
    assert!(problems[1].message.contains("delete_back"), "{problems:?}");
    assert!(problems[2].message.contains("types text"), "{problems:?}");
    let km = c.keymap();
    let ctrl = |ch| KeyEvent::new(KeyCode::Char(ch), KeyModifiers::CONTROL);
    assert_eq!(
        km.overlay_action(Mode::Text, &ctrl('w')),
        Some(OverlayAction::Clear)
    );
    assert_eq!(km.overlay_action(Mode::Text, &ctrl('u')), None);
    assert_eq!(km.overlay_labels(Mode::Text, OverlayAction::Left), "");
    assert_eq!(
        km.overlay_action(Mode::Prompt, &ctrl('s')),
        Some(OverlayAction::Open)
    );
    assert_eq!(km.overlay_labels(Mode::Prompt, OverlayAction::Close), "");
}

#[test]
fn code_names_one_folder_resolved_like_guide_folders() {
    assert_eq!(Config::default().code, None);
    let (c, problems) = parse("code = \"backend\"\n");
    assert_eq!(problems, []);
    assert_eq!(c.code, Some(PathBuf::from("/cfg/backend")));
    let (c, problems) = parse("code = \"/abs/src\"\n");
    assert_eq!(problems, []);
    assert_eq!(c.code, Some(PathBuf::from("/abs/src")));
    let (c, problems) = parse("code = \"\"\n");
    assert_eq!(problems, []);
    assert_eq!(c.code, None);
    let (c, problems) = parse("code = 3\n");
    assert_eq!(c.code, None, "a bad value keeps the default");
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .message
            .contains("code: expected a folder in quotes"),
        "{}",
        problems[0].message
    );
}

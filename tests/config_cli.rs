//! Configuration, themes, export, completions and the man page, through the binary.

use std::path::Path;

use assert_cmd::Command;

/// The binary with no user configuration, colour or state leaking in from the machine.
fn devguide() -> Command {
    let mut cmd = Command::cargo_bin("devguide").expect("binary built");
    cmd.env_remove("NO_COLOR")
        .env_remove("COLORTERM")
        .env_remove("COLORFGBG")
        .env_remove("DEVGUIDE_CONFIG")
        .env_remove("COMPLETE")
        .env("XDG_CONFIG_HOME", "/nonexistent-config-dir")
        .env("DEVGUIDE_STATE", "/nonexistent-dir/state.json");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
}

#[test]
fn config_default_prints_the_embedded_default_file() {
    let r = run(devguide().args(["config", "default"]));
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, devguide::config::DEFAULT_TOML);
    assert!(r.stdout.contains("[keys]") && r.stdout.contains("quit = [\"q\", \"ctrl-c\"]"));
}

#[test]
fn config_path_precedence_is_flag_then_environment_then_xdg() {
    let r = run(devguide()
        .args(["config", "path"])
        .env("XDG_CONFIG_HOME", "/xdg"));
    assert_eq!(r.stdout.trim(), "/xdg/devguide/config.toml");
    let r = run(devguide()
        .args(["config", "path"])
        .env("XDG_CONFIG_HOME", "/xdg")
        .env("DEVGUIDE_CONFIG", "/env.toml"));
    assert_eq!(r.stdout.trim(), "/env.toml");
    let r = run(devguide()
        .args(["config", "path", "--config", "/flag.toml"])
        .env("DEVGUIDE_CONFIG", "/env.toml"));
    assert_eq!(r.stdout.trim(), "/flag.toml");
}

#[test]
fn config_check_lists_problems_with_file_and_line_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    write(&file, "theme = \"blue\"\n\n[keys]\nquit = [\"hyper-q\"]\n");
    let r = run(devguide()
        .args(["config", "check"])
        .env("DEVGUIDE_CONFIG", &file));
    assert_eq!(r.code, 1, "{}", r.stdout);
    let name = file.display().to_string();
    assert!(
        r.stdout
            .contains(&format!("{name}:1: theme: \"blue\" is not one of")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\"high-contrast\""), "{}", r.stdout);
    assert!(
        r.stdout
            .contains(&format!("{name}:4: `hyper-q` is not a key")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("2 problems"), "{}", r.stdout);

    write(&file, "wrap_width = 80\n");
    let r = run(devguide().args(["config", "check", "--config"]).arg(&file));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("ok"));
}

#[test]
fn a_bad_config_never_stops_a_command_and_is_reported_once_on_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    write(&file, "colour = 1\nmouse = 3\n");
    let r = run(devguide().arg("list").env("DEVGUIDE_CONFIG", &file));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("quick-reference"));
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(":1: unknown setting `colour`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("(+1 more)"), "{}", r.stderr);
    // A file named by flag that does not exist: reported, defaults used.
    let r = run(devguide().args(["list", "--config", "/no/such/config.toml"]));
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
}

#[test]
fn configured_guide_folders_open_when_no_dir_is_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let guides = dir.path().join("guides");
    std::fs::create_dir(&guides).expect("mkdir");
    write(&guides.join("setup.md"), "# Team setup\n");
    let file = dir.path().join("config.toml");
    // Relative to the config file; the first folder that exists wins.
    write(&file, "guides = [\"missing\", \"guides\"]\n");
    let r = run(devguide().arg("list").env("DEVGUIDE_CONFIG", &file));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("setup"), "{}", r.stdout);
    // --dir still wins over the file.
    let r = run(devguide()
        .args(["list", "--dir"])
        .arg(dir.path().join("guides"))
        .env("DEVGUIDE_CONFIG", &file));
    assert!(r.stdout.starts_with("setup"));
    write(&file, "guides = [\"missing\"]\n");
    let r = run(devguide().arg("list").env("DEVGUIDE_CONFIG", &file));
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("quick-reference"),
        "falls back to the bundled set"
    );
    assert!(
        r.stderr.contains("none of these folders exists"),
        "{}",
        r.stderr
    );
}

/// The first heading's colour in `show --color always` output, as an SGR fragment.
fn shows_with(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = devguide();
    cmd.args([
        "show",
        "quick-reference",
        "--color",
        "always",
        "--width",
        "80",
    ])
    .args(args)
    .env("COLORTERM", "truecolor");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

const DARK_H1: &str = "38;2;122;162;247";
const LIGHT_H1: &str = "38;2;30;80;180";

#[test]
fn theme_follows_flag_then_config_then_colorfgbg() {
    assert!(shows_with(&[], &[]).contains(DARK_H1), "dark by default");
    assert!(shows_with(&[], &[("COLORFGBG", "0;15")]).contains(LIGHT_H1));
    assert!(shows_with(&[], &[("COLORFGBG", "15;0")]).contains(DARK_H1));
    assert!(shows_with(&["--theme", "light"], &[("COLORFGBG", "15;0")]).contains(LIGHT_H1));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    write(&file, "theme = \"light\"\n");
    let cfg = file.to_str().expect("utf-8 path");
    assert!(shows_with(&[], &[("DEVGUIDE_CONFIG", cfg)]).contains(LIGHT_H1));
    let flag_wins = shows_with(&["--theme", "dark"], &[("DEVGUIDE_CONFIG", cfg)]);
    assert!(flag_wins.contains(DARK_H1));
    let hc = shows_with(&["--theme", "high-contrast"], &[]);
    assert!(!hc.contains(DARK_H1) && !hc.contains(LIGHT_H1));
}

#[test]
fn color_never_and_no_color_are_colourless() {
    let r = run(devguide().args(["show", "quick-reference", "--color", "never"]));
    assert!(!r.stdout.contains('\x1b'));
    // NO_COLOR turns `auto` off; only an explicit `always` brings colour back.
    let r = run(devguide()
        .args(["show", "quick-reference", "--color", "auto"])
        .env("NO_COLOR", "1"));
    assert!(!r.stdout.contains('\x1b'));
    let always = shows_with(&[], &[("NO_COLOR", "1")]);
    assert!(always.contains("\x1b["));
}

#[test]
fn themes_lists_colour_and_syntax_themes() {
    let r = run(devguide().arg("themes"));
    assert_eq!(r.code, 0);
    for name in [
        "high-contrast",
        "light",
        "Nord",
        "OneHalfDark",
        "Solarized (light)",
    ] {
        assert!(r.stdout.contains(name), "{name} in {}", r.stdout);
    }
    assert!(
        r.stdout.contains("* auto"),
        "the configured theme is marked"
    );
}

#[test]
fn export_writes_the_exact_embedded_bytes_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("guides");
    let r = run(devguide().arg("export").arg(&target));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&content).expect("content/") {
        let name = entry.expect("entry").file_name();
        let original = std::fs::read(content.join(&name)).expect("read");
        let exported = std::fs::read(target.join(&name)).expect("exported");
        assert!(original == exported, "{name:?} differs");
        names.push(name);
    }
    assert_eq!(
        std::fs::read_dir(&target).expect("dir").count(),
        names.len()
    );
    // The exported folder is a guide set.
    let r = run(devguide().arg("list").arg("--dir").arg(&target));
    assert!(r.stdout.contains("quick-reference"));

    let edited = target.join("02-quick-reference.md");
    write(&edited, "# mine\n");
    let r = run(devguide().arg("export").arg(&target));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("--force") && r.stderr.contains("02-quick-reference.md"));
    assert_eq!(std::fs::read_to_string(&edited).expect("read"), "# mine\n");
    let r = run(devguide().args(["export", "--force"]).arg(&target));
    assert_eq!(r.code, 0);
    assert_ne!(std::fs::read_to_string(&edited).expect("read"), "# mine\n");
}

#[test]
fn completions_register_for_every_shell() {
    for (shell, needle) in [
        ("bash", "complete"),
        ("zsh", "compdef"),
        ("fish", "complete"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer"),
    ] {
        let r = run(devguide().args(["completions", shell]));
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains(needle), "{shell}: {}", r.stdout);
        assert!(r.stdout.contains("devguide"), "{shell}");
    }
    let r = run(devguide().args(["completions", "tcsh"]));
    assert_eq!(r.code, 2);
}

#[test]
fn completion_offers_guide_ids_subcommands_and_theme_names() {
    let complete = |words: &[&str]| {
        let mut cmd = devguide();
        cmd.env("COMPLETE", "fish").arg("--").args(words);
        run(&mut cmd).stdout
    };
    let out = complete(&["devguide", "quick"]);
    assert!(
        out.lines().any(|l| l.starts_with("quick-reference")),
        "{out}"
    );
    let out = complete(&["devguide", "show", "imp"]);
    assert!(out.lines().any(|l| l.starts_with("import-guide")), "{out}");
    let out = complete(&["devguide", "exp"]);
    assert!(out.lines().any(|l| l.starts_with("export")), "{out}");
    let out = complete(&["devguide", "--theme", "high"]);
    assert!(out.lines().any(|l| l.starts_with("high-contrast")), "{out}");
}

#[test]
fn migration_names_complete_from_the_state_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let r = run(devguide()
        .args(["checklist", "new", "auth-service"])
        .env("DEVGUIDE_STATE", &state));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(devguide()
        .env("DEVGUIDE_STATE", &state)
        .env("COMPLETE", "fish")
        .args(["--", "devguide", "checklist", "status", "auth"]));
    assert!(
        r.stdout.lines().any(|l| l == "auth-service"),
        "{}",
        r.stdout
    );
}

#[test]
fn man_prints_a_roff_page_from_the_cli_definition() {
    let r = run(devguide().arg("man"));
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.starts_with(".ie") || r.stdout.contains(".TH devguide"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    for needle in [
        ".TH devguide",
        "\\-\\-config",
        "\\-\\-theme",
        "export",
        "completions",
    ] {
        assert!(r.stdout.contains(needle), "{needle}");
    }
}

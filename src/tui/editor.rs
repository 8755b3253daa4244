//! Handing the terminal to `$VISUAL`/`$EDITOR` and taking it back.

use std::path::Path;
use std::process::Command;

/// The editor command: `$VISUAL`, else `$EDITOR`, else `vi`. The value may carry
/// arguments (`code -w`), split on whitespace.
pub fn command() -> Vec<String> {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Runs `cmd +LINE -- FILE` (the convention vi, vim, nano, emacs and helix accept) and
/// waits for it. The caller has handed over the terminal. `--` ends the editor's options,
/// so a guide named `-c!cmd.md` is a file, not an instruction; a relative path is also
/// written `./path`, for editors that do not know `--`.
pub fn run(cmd: &[String], path: &Path, line: usize) -> Result<(), String> {
    let Some((program, args)) = cmd.split_first() else {
        return Err("no editor set".into());
    };
    let status = Command::new(program)
        .args(args)
        .arg(format!("+{line}"))
        .arg("--")
        .arg(safe_path(path))
        .status()
        .map_err(|e| format!("could not start {program}: {e} (set $VISUAL or $EDITOR)"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} exited with {status}"))
    }
}

/// `path`, made to start with `/` or `./` so no program can read it as an option.
fn safe_path(path: &Path) -> std::path::PathBuf {
    if path.is_absolute() || path.starts_with(".") {
        path.to_path_buf()
    } else {
        Path::new(".").join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_gets_plus_line_then_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("args");
        let script = dir.path().join("ed.sh");
        std::fs::write(
            &script,
            format!("#!/bin/sh\necho \"$@\" > '{}'\n", log.display()),
        )
        .expect("write");
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        let cmd = vec![script.to_string_lossy().into_owned(), "--wait".to_string()];
        run(&cmd, Path::new("/tmp/guide.md"), 12).expect("editor ran");
        assert_eq!(
            std::fs::read_to_string(&log).expect("log").trim(),
            "--wait +12 -- /tmp/guide.md"
        );
    }

    #[test]
    fn a_file_named_like_an_option_stays_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("args");
        let script = dir.path().join("ed.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > '{}'\n",
                log.display()
            ),
        )
        .expect("write");
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        let cmd = vec![script.to_string_lossy().into_owned()];
        run(&cmd, Path::new("-c!cmd.md"), 3).expect("editor ran");
        let args = std::fs::read_to_string(&log).expect("log");
        let args: Vec<&str> = args.lines().collect();
        assert_eq!(args, ["+3", "--", "./-c!cmd.md"]);
    }

    #[test]
    fn a_missing_editor_is_a_clear_error() {
        let err = run(&["/no/such/editor".to_string()], Path::new("x.md"), 1).expect_err("fails");
        assert!(err.contains("could not start /no/such/editor"), "{err}");
    }
}

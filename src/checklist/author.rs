//! Who a change is recorded as: `git config user.name` as the repository sees it (its
//! own config, then the user's), else the login name.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long `git config` may take; a slow or stuck git must not hold up a tick.
const GIT_TIMEOUT: Duration = Duration::from_secs(2);

/// The name changes made from `dir` (the state folder) are recorded under.
pub fn current(dir: &Path) -> String {
    let near = dir.ancestors().find(|d| d.is_dir());
    near.and_then(git_user_name)
        .or_else(login_name)
        .unwrap_or_else(|| "unknown".to_string())
}

/// Keeps a name printable and short: it is written into a shared file.
fn clean(name: &str) -> Option<String> {
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Runs git in `dir` (as its working folder, so no path is passed as an argument).
fn git_user_name(dir: &Path) -> Option<String> {
    let mut child = Command::new("git")
        .args(["config", "--get", "user.name"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() < GIT_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(5));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    };
    if !status.success() {
        return None;
    }
    let mut out = String::new();
    child
        .stdout
        .take()?
        .take(4096)
        .read_to_string(&mut out)
        .ok()?;
    clean(out.lines().next().unwrap_or(""))
}

fn login_name() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().and_then(|n| clean(&n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_never_empty() {
        assert_eq!(clean(" Ana\u{1b}[31m \n").as_deref(), Some("Ana[31m"));
        assert_eq!(clean("  "), None);
        let tmp = tempfile::tempdir().expect("tempdir");
        assert!(!current(&tmp.path().join("missing/deeper")).is_empty());
    }
}

//! Build information for `--version`: the commit and its date when building from a git
//! checkout. Never fails: without `.git` (a published package) or without git, the
//! version is the package version alone.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    // Only this crate's own checkout counts: a package unpacked inside another repository
    // (cargo's `target/package/…`) must not report that repository's commit.
    let git_marker = manifest.join(".git");
    let info = if git_marker.exists() {
        watch_head(&manifest);
        commit(&manifest)
    } else {
        // Watching the missing `.git` reruns this (cheap) script on every build. That is
        // deliberate: `cargo package` verifies in `target/package/…` under the same
        // build-script unit as the checkout's own build, and would otherwise leave the
        // checkout's builds stuck on a version without its commit.
        println!("cargo:rerun-if-changed={}", git_marker.display());
        None
    };
    let full = match info {
        Some((hash, date)) => format!("{version} ({hash} {date})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=DEVGUIDE_VERSION={full}");
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The short hash of HEAD and the commit's date (`YYYY-MM-DD`). The date is the commit's
/// rather than the clock's so two builds of one commit print the same line.
fn commit(dir: &Path) -> Option<(String, String)> {
    let hash = git(dir, &["rev-parse", "--short=7", "HEAD"])?;
    let date = git(dir, &["log", "-1", "--format=%cs", "HEAD"])?;
    let safe = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    (safe(&hash) && safe(&date)).then_some((hash, date))
}

/// Rebuild when HEAD moves: HEAD itself, the branch it points to, and packed refs.
fn watch_head(dir: &Path) {
    let Some(git_dir) = git(dir, &["rev-parse", "--absolute-git-dir"]) else {
        return;
    };
    let git_dir = PathBuf::from(git_dir);
    // A path that does not exist would make cargo rerun this script on every build.
    let watch = |p: PathBuf| {
        if p.exists() {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    };
    watch(git_dir.join("HEAD"));
    let common = git(dir, &["rev-parse", "--git-common-dir"])
        .map(|c| dir.join(c))
        .unwrap_or_else(|| git_dir.clone());
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch(common.join(branch));
    }
    watch(common.join("packed-refs"));
}

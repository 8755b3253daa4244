//! Where the state file is, and the default name for a new migration. Pure functions of
//! their inputs plus thin wrappers that read the environment, so precedence is testable.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The shared file of team mode, relative to a project folder.
pub const TEAM_STATE: &str = ".devguide/state.json";
pub const STATE_ENV: &str = "DEVGUIDE_STATE";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env,
    /// `.devguide/state.json` in the current folder or a parent.
    Team,
    User,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub source: Source,
}

/// Precedence: `--state` > `DEVGUIDE_STATE` > team file found from `cwd` upward > the
/// user default. `None` only when no user state folder is known and nothing else applies.
pub fn resolve(
    flag: Option<&Path>,
    env: Option<OsString>,
    cwd: &Path,
    user_default: Option<PathBuf>,
) -> Option<Location> {
    if let Some(p) = flag {
        return Some(Location {
            path: p.to_path_buf(),
            source: Source::Flag,
        });
    }
    if let Some(p) = env.filter(|v| !v.is_empty()) {
        return Some(Location {
            path: PathBuf::from(p),
            source: Source::Env,
        });
    }
    if let Some(p) = find_team_state(cwd) {
        return Some(Location {
            path: p,
            source: Source::Team,
        });
    }
    user_default.map(|path| Location {
        path,
        source: Source::User,
    })
}

/// [`resolve`] with the real environment and current folder.
pub fn resolve_current(flag: Option<&Path>) -> anyhow::Result<Location> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    resolve(
        flag,
        std::env::var_os(STATE_ENV),
        &cwd,
        user_default(std::env::var_os("XDG_STATE_HOME")),
    )
    .ok_or_else(|| {
        anyhow::anyhow!(
            "no folder for user state is known here; pass --state FILE or set {STATE_ENV}"
        )
    })
}

/// `$XDG_STATE_HOME/devguide/state.json` when that is an absolute path, else the
/// platform's state folder (`~/.local/state`), else its local data folder.
pub fn user_default(xdg_state_home: Option<OsString>) -> Option<PathBuf> {
    let base = xdg_state_home
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(dirs::state_dir)
        .or_else(dirs::data_local_dir)?;
    Some(base.join("devguide").join("state.json"))
}

/// The nearest `.devguide/state.json` from `start` upward. Anything by that name counts,
/// a link or a FIFO included, so that the store refuses it with a message instead of
/// devguide quietly using another file.
pub fn find_team_state(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(TEAM_STATE))
        .find(|p| std::fs::symlink_metadata(p).is_ok())
}

/// The name offered for a new migration: the current git branch when there is one
/// (read from `.git/HEAD`, no git process), else `default`.
pub fn default_migration_name(start: &Path) -> String {
    git_branch(start).unwrap_or_else(|| "default".to_string())
}

fn git_branch(start: &Path) -> Option<String> {
    for dir in start.ancestors() {
        let dot_git = dir.join(".git");
        let git_dir = if dot_git.is_dir() {
            dot_git
        } else if dot_git.is_file() {
            // A worktree or submodule: `.git` is a file saying `gitdir: <path>`.
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let target = text.lines().find_map(|l| l.strip_prefix("gitdir:"))?.trim();
            dir.join(target)
        } else {
            continue;
        };
        let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
        let branch = head
            .trim()
            .strip_prefix("ref:")?
            .trim()
            .strip_prefix("refs/heads/")?;
        return (!branch.is_empty()).then(|| branch.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_beats_env_beats_team_beats_user() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let project = tmp.path().join("project");
        let deep = project.join("a/b");
        std::fs::create_dir_all(&deep).expect("mkdir");
        let user = Some(PathBuf::from("/home/u/.local/state/devguide/state.json"));
        let flag = Path::new("flag.json");
        let env = || Some(OsString::from("env.json"));

        let r = resolve(Some(flag), env(), &deep, user.clone()).expect("flag");
        assert_eq!((r.path.as_path(), r.source), (flag, Source::Flag));
        let r = resolve(None, env(), &deep, user.clone()).expect("env");
        assert_eq!(
            (r.path.as_path(), r.source),
            (Path::new("env.json"), Source::Env)
        );
        let r = resolve(None, Some(OsString::new()), &deep, user.clone()).expect("user");
        assert_eq!(r.source, Source::User, "an empty DEVGUIDE_STATE is ignored");

        std::fs::create_dir_all(project.join(".devguide")).expect("mkdir");
        std::fs::write(project.join(TEAM_STATE), "{}").expect("write");
        let r = resolve(None, None, &deep, user.clone()).expect("team");
        assert_eq!((r.path, r.source), (project.join(TEAM_STATE), Source::Team));
        let r = resolve(None, env(), &deep, user.clone()).expect("env wins over team");
        assert_eq!(r.source, Source::Env);
        let r = resolve(None, None, tmp.path(), user.clone()).expect("above the project");
        assert_eq!(r.source, Source::User);
        assert_eq!(resolve(None, None, tmp.path(), None), None);
    }

    #[test]
    fn user_default_prefers_an_absolute_xdg_state_home() {
        assert_eq!(
            user_default(Some("/x/state".into())),
            Some(PathBuf::from("/x/state/devguide/state.json"))
        );
        let fallback = user_default(Some("relative".into()));
        assert!(fallback.is_none_or(|p| p.is_absolute() && p.ends_with("devguide/state.json")));
    }

    #[test]
    fn default_name_is_the_git_branch() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let sub = tmp.path().join("src/deep");
        std::fs::create_dir_all(&sub).expect("mkdir");
        assert_eq!(default_migration_name(&sub), "default");
        std::fs::create_dir_all(tmp.path().join(".git")).expect("mkdir");
        std::fs::write(
            tmp.path().join(".git/HEAD"),
            "ref: refs/heads/feature/auth\n",
        )
        .expect("write");
        assert_eq!(default_migration_name(&sub), "feature/auth");
        std::fs::write(
            tmp.path().join(".git/HEAD"),
            "0123456789abcdef0123456789abcdef01234567\n",
        )
        .expect("write");
        assert_eq!(default_migration_name(&sub), "default", "detached HEAD");

        // A worktree: `.git` is a file pointing at the real git dir.
        let wt = tmp.path().join("wt");
        let gitdir = tmp.path().join("gitdirs/wt");
        std::fs::create_dir_all(&wt).expect("mkdir");
        std::fs::create_dir_all(&gitdir).expect("mkdir");
        std::fs::write(wt.join(".git"), format!("gitdir: {}\n", gitdir.display())).expect("write");
        std::fs::write(gitdir.join("HEAD"), "ref: refs/heads/checklist\n").expect("write");
        assert_eq!(default_migration_name(&wt), "checklist");
    }
}

//! This person's own data in team mode: which migration is active for them and where
//! they are in the guides. It never goes into the shared `.devguide/` files (reading a
//! guide must not change a tracked file, nor conflict with a teammate's reading); it is
//! kept in `$XDG_STATE_HOME/devguide/repos/<hash>.json`, keyed by the repository's
//! folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::location::{TEAM_STATE, user_default};
use super::state::State;
use super::{format, safe_fs, store};

const READING: &str = "reading";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Personal {
    #[serde(default)]
    repo: String,
    #[serde(default)]
    sets: BTreeMap<String, PersonalSet>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct PersonalSet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    active: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reading: Option<Value>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

/// What [`read`] returns: apply it over a state read from the team file.
pub struct Overlay(Personal);

/// Whether `path` is a team file: `<project>/.devguide/state.json`.
pub fn is_team_file(path: &Path) -> bool {
    path.ends_with(TEAM_STATE)
}

/// The personal file for a team file, or `None` when no user state folder is known.
pub fn path_for(team_file: &Path) -> Option<PathBuf> {
    let repo = team_file.parent()?.parent()?;
    let repo = std::fs::canonicalize(repo).unwrap_or_else(|_| repo.to_path_buf());
    let base = user_default(std::env::var_os("XDG_STATE_HOME"))?;
    let dir = base.parent()?.join("repos");
    Some(dir.join(format!("{}.json", key(&repo))))
}

/// 16 hex digits of FNV-1a over the repository's path.
fn key(repo: &Path) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in repo.to_string_lossy().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The folder below which nothing is followed: `…/devguide`.
fn root(file: &Path) -> PathBuf {
    file.parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// Reads the personal file; a missing one is empty. Writes nothing.
pub fn read(file: &Path) -> Result<Overlay, String> {
    let bytes = safe_fs::check_no_links(&root(file), file, false)
        .and_then(|()| safe_fs::read(file))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let Some(bytes) = bytes else {
        return Ok(Overlay(Personal::default()));
    };
    serde_json::from_slice(&bytes).map(Overlay).map_err(|e| {
        format!(
            "{}: not readable ({e}); your active migration and reading places start afresh",
            file.display()
        )
    })
}

impl Overlay {
    pub fn apply(self, state: &mut State) {
        for (set, p) in self.0.sets {
            let s = state.sets.entry(set).or_default();
            if p.active.is_some() {
                s.active = p.active;
            }
            if let Some(r) = p.reading {
                s.extra.insert(READING.to_string(), r);
            }
        }
    }
}

/// The state as the team file keeps it: no active migration, no reading record.
pub fn without_personal(state: &State) -> State {
    let mut shared = state.clone();
    for s in shared.sets.values_mut() {
        s.active = None;
        s.extra.remove(READING);
    }
    shared
        .sets
        .retain(|_, s| !s.migrations.is_empty() || !s.extra.is_empty());
    shared
}

/// Writes this person's data from `state` when it changed. A file that cannot be parsed
/// is replaced only after it was moved aside.
pub fn write(file: &Path, state: &State) -> std::io::Result<()> {
    let root = root(file);
    let mut personal = match read(file) {
        Ok(Overlay(p)) => p,
        Err(_) => Personal::default(),
    };
    let repo = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if personal.repo.is_empty() {
        personal.repo = repo;
    }
    for (set, s) in &state.sets {
        let reading = s.extra.get(READING).cloned();
        if s.active.is_none() && reading.is_none() && !personal.sets.contains_key(set) {
            continue;
        }
        let p = personal.sets.entry(set.clone()).or_default();
        p.active.clone_from(&s.active);
        p.reading = reading;
    }
    let text = format::render(&serde_json::to_value(&personal).unwrap_or_default());
    let current = safe_fs::check_no_links(&root, file, false).and_then(|()| safe_fs::read(file));
    if let Ok(Some(bytes)) = &current
        && bytes.as_slice() == text.as_bytes()
    {
        return Ok(());
    }
    if let Some(dir) = file.parent() {
        safe_fs::create_dirs(&root, dir, false)?;
    }
    store::write_atomic(&root, false, file, text.as_bytes())
}

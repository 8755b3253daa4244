//! Which guide set the server reads, and noticing when it changes.
//!
//! Precedence, most explicit first (as an editor user expects a per-project client
//! setting to win): `initializationOptions.dir` (relative paths from the workspace root),
//! then `--dir` on the server's command line, then the team folder
//! `.devguide/guides/` in the workspace root or a parent, then the configuration's
//! `guides`, else the bundled guides.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::content::GuideSet;
use crate::doc::Doc;
use crate::lookup::{Catalog, Form};
use crate::scan::Rules;

use super::findings;

/// The team's guides inside a repository.
pub const TEAM_GUIDES: &str = ".devguide/guides";

/// Where the guides came from, for the log and the hover footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Init(PathBuf),
    Flag(PathBuf),
    Team(PathBuf),
    Configured(PathBuf),
    Bundled,
}

impl Choice {
    pub fn dir(&self) -> Option<&Path> {
        match self {
            Choice::Init(d) | Choice::Flag(d) | Choice::Team(d) | Choice::Configured(d) => Some(d),
            Choice::Bundled => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Choice::Init(d) => format!("{} (initializationOptions.dir)", d.display()),
            Choice::Flag(d) => format!("{} (--dir)", d.display()),
            Choice::Team(d) => format!("{} (team guides)", d.display()),
            Choice::Configured(d) => format!("{} (configured guides)", d.display()),
            Choice::Bundled => "the bundled guides".into(),
        }
    }
}

/// The inputs of the choice, gathered by the caller.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub init_dir: Option<PathBuf>,
    pub flag_dir: Option<PathBuf>,
    pub root: Option<PathBuf>,
    pub configured: Option<PathBuf>,
}

pub fn choose(inputs: &Inputs) -> Choice {
    if let Some(d) = &inputs.init_dir {
        let d = match &inputs.root {
            Some(root) if d.is_relative() => root.join(d),
            _ => d.clone(),
        };
        return Choice::Init(d);
    }
    if let Some(d) = &inputs.flag_dir {
        return Choice::Flag(d.clone());
    }
    if let Some(team) = inputs.root.as_deref().and_then(|r| {
        r.ancestors()
            .map(|a| a.join(TEAM_GUIDES))
            .find(|p| p.is_dir())
    }) {
        return Choice::Team(team);
    }
    if let Some(d) = &inputs.configured {
        return Choice::Configured(d.clone());
    }
    Choice::Bundled
}

/// A loaded guide set with what the server derives from it.
pub struct Loaded {
    pub choice: Choice,
    pub set: GuideSet,
    pub docs: Vec<Doc>,
    pub catalog: Catalog,
    pub rules: Rules,
    /// Canonical `(module, form)` pairs, for completion.
    pub canonical: Vec<(String, Form)>,
    pub stamp: Stamp,
}

impl Loaded {
    /// Loads the chosen set; a folder that cannot be read falls back to the bundled
    /// guides and the reason comes back for the user.
    pub fn load(choice: Choice) -> (Loaded, Option<String>) {
        let (set, problem, choice) = match choice.dir() {
            Some(dir) => match GuideSet::from_dir(dir) {
                Ok(set) => (set, None, choice),
                Err(e) => (
                    GuideSet::bundled(),
                    Some(format!("{e}; using the bundled guides")),
                    choice,
                ),
            },
            None => (GuideSet::bundled(), None, choice),
        };
        let (catalog, docs) = Catalog::build_with_docs(&set);
        let rules = Rules::from_catalog(&catalog, &set, &docs);
        let canonical = findings::canonical_imports(&catalog, &rules);
        let stamp = choice.dir().map(stamp).unwrap_or_default();
        (
            Loaded {
                choice,
                set,
                docs,
                catalog,
                rules,
                canonical,
                stamp,
            },
            problem,
        )
    }

    /// The file a guide came from, when it is on disk.
    pub fn guide_path(&self, guide: usize) -> Option<PathBuf> {
        self.set.disk_path(guide)
    }
}

/// What the markdown files of a folder look like now: paths, sizes, modification times.
/// Two equal stamps mean nothing changed worth reloading for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stamp(Vec<(PathBuf, u64, Option<SystemTime>)>);

/// Walks the folder without following links, markdown files only.
pub fn stamp(dir: &Path) -> Stamp {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .hidden(true)
        .follow_links(false)
        .build();
    for entry in walker.flatten() {
        let p = entry.path();
        let md = p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
        if !md {
            continue;
        }
        if let Ok(meta) = entry.metadata() {
            out.push((p.to_path_buf(), meta.len(), meta.modified().ok()));
        }
    }
    out.sort();
    Stamp(out)
}

/// Whether a changed file belongs to the guide set.
pub fn is_guide_file(dir: &Path, changed: &Path) -> bool {
    changed.starts_with(dir)
        && changed
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_settings_win_then_team_then_configured_then_bundled() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join(TEAM_GUIDES)).expect("mkdir");
        let sub = root.join("pkg");
        std::fs::create_dir_all(&sub).expect("mkdir");
        let mut inputs = Inputs {
            init_dir: Some("docs".into()),
            flag_dir: Some("/flag".into()),
            root: Some(sub.clone()),
            configured: Some("/conf".into()),
        };
        assert_eq!(choose(&inputs), Choice::Init(sub.join("docs")));
        inputs.init_dir = None;
        assert_eq!(choose(&inputs), Choice::Flag("/flag".into()));
        inputs.flag_dir = None;
        assert_eq!(choose(&inputs), Choice::Team(root.join(TEAM_GUIDES)));
        inputs.root = Some(tmp.path().to_path_buf());
        assert_eq!(choose(&inputs), Choice::Configured("/conf".into()));
        inputs.configured = None;
        assert_eq!(choose(&inputs), Choice::Bundled);
    }

    #[test]
    fn stamps_change_with_markdown_files_only() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::write(tmp.path().join("a.md"), "# A\n").expect("write");
        let before = stamp(tmp.path());
        std::fs::write(tmp.path().join("notes.txt"), "x").expect("write");
        assert_eq!(stamp(tmp.path()), before);
        std::fs::write(tmp.path().join("a.md"), "# A changed\n").expect("write");
        assert_ne!(stamp(tmp.path()), before);
        assert!(is_guide_file(tmp.path(), &tmp.path().join("x/b.md")));
        assert!(!is_guide_file(tmp.path(), &tmp.path().join("b.py")));
    }
}

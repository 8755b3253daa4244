//! `devguide completions SHELL` and the values completed while typing.
//!
//! Completion is dynamic (clap_complete's `COMPLETE=<shell> devguide` protocol): the
//! script this command prints calls devguide back on every Tab, so guide ids and
//! migration names come from the guide set and state file of that moment. The guide set
//! is the configured one (or the bundled one); `--dir` on the line being typed is not
//! seen.

use std::io::Write;

use clap_complete::engine::CompletionCandidate;
use clap_complete::env::Shells;

use crate::checklist::{Store, location};
use crate::cli::{SetArgs, Shell};

/// The variable that switches devguide into completion mode.
pub const COMPLETE_VAR: &str = "COMPLETE";

/// Writes the registration script for `shell`.
pub fn run(shell: Shell, out: &mut dyn Write) -> anyhow::Result<u8> {
    let shells = Shells::builtins();
    let Some(completer) = shells.completer(shell.name()) else {
        anyhow::bail!("no completion support for {}", shell.name());
    };
    let mut buf = Vec::new();
    completer.write_registration(COMPLETE_VAR, "devguide", "devguide", "devguide", &mut buf)?;
    super::write_context(out.write_all(&buf))?;
    Ok(0)
}

/// The guide set completion works on: the configured folder, else the bundled guides.
fn completion_set() -> Option<crate::content::GuideSet> {
    let loaded = crate::config::load(None);
    let args = SetArgs {
        dir: super::configured_dir(&loaded).0,
    };
    super::load_set(&args).ok()
}

/// Guide ids, with their titles as help.
pub fn guide_candidates() -> Vec<CompletionCandidate> {
    let Some(set) = completion_set() else {
        return Vec::new();
    };
    set.guides
        .iter()
        .map(|g| CompletionCandidate::new(g.id.clone()).help(Some(g.title.clone().into())))
        .collect()
}

/// Migration names of the configured guide set, from the state file in effect here.
pub fn migration_candidates() -> Vec<CompletionCandidate> {
    let Some(set) = completion_set() else {
        return Vec::new();
    };
    let Ok(loc) = location::resolve_current(None) else {
        return Vec::new();
    };
    // Completing must not create anything: only an existing file is read.
    if !loc.path.is_file() {
        return Vec::new();
    }
    let opened = Store::open(&loc.path);
    opened
        .state
        .migrations(&set.identity())
        .into_iter()
        .map(|m| CompletionCandidate::new(m.name))
        .collect()
}

//! The built-in checks of self-verifying checklist items (`<!-- devguide: scan -->`),
//! run for `checklist status NAME --verify [PATH]`. Read-only: nothing is written.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use crate::content::GuideSet;
use crate::doc::task_check::TaskCheck;
use crate::sanitize::sanitize_line;
use crate::scan::{Report, Rules, ScanOptions, scan_paths};

use super::write_context;

/// What the checks found.
pub struct Verified {
    /// `(guide id, task index)` of each self-verifying item whose check passed.
    pub passed: HashSet<(String, usize)>,
    /// How many self-verifying items failed.
    pub failed: usize,
    /// The code path did not exist or could not be read at all.
    pub error: bool,
}

/// Runs each distinct check once over `code` and prints one line per self-verifying item.
pub fn run(
    set: &GuideSet,
    code: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Verified> {
    let mut verified = Verified {
        passed: HashSet::new(),
        failed: 0,
        error: false,
    };
    let items: Vec<(String, usize, String, TaskCheck)> = set
        .guides
        .iter()
        .flat_map(|g| {
            let doc = crate::doc::parse(&g.body);
            doc.tasks
                .iter()
                .enumerate()
                .filter_map(|(i, t)| Some((g.id.clone(), i, t.text.clone(), t.check?)))
                .collect::<Vec<_>>()
        })
        .collect();
    if items.is_empty() {
        write_context(writeln!(
            err,
            "devguide: no checklist item names a built-in check (<!-- devguide: scan -->); nothing to verify"
        ))?;
        return Ok(verified);
    }
    if std::fs::symlink_metadata(code).is_err() {
        write_context(writeln!(
            err,
            "devguide: {}: no such file or folder to verify",
            sanitize_line(&code.display().to_string())
        ))?;
        verified.error = true;
        return Ok(verified);
    }
    let report = scan(set, code);
    super::scan::print_problems(&report, err)?;
    let when = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    for (guide, index, text, check) in items {
        let clean = report.findings.is_empty();
        let state = if clean {
            format!("verified clean at {when}")
        } else {
            super::scan::summary(&report)
        };
        write_context(writeln!(
            out,
            "  [{}] {} ({}: {state})",
            if clean { "ok" } else { "!!" },
            sanitize_line(&text),
            check.name()
        ))?;
        if clean {
            verified.passed.insert((guide, index));
        } else {
            verified.failed += 1;
        }
    }
    Ok(verified)
}

fn scan(set: &GuideSet, code: &Path) -> Report {
    let rules = Rules::from_guides(set);
    scan_paths(&[code.to_path_buf()], &rules, &ScanOptions::default())
}

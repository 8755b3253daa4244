//! The code base seen from the reader: the imports the guides retire, found by a scan that
//! runs elsewhere ([`Effect::Scan`]), listed by file in the findings overlay (`F`), and
//! summed up beside checklist items that verify themselves (`<!-- devguide: scan -->`).
//!
//! Pure like the rest of `app/`: the scan, the clock and the history file are the run
//! loop's; results come back as messages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crossterm::event::KeyEvent;

use super::{App, Effect, Overlay, list};
use crate::checklist::ops::Op;
use crate::doc::task_check::TaskCheck;
use crate::keymap::{Mode, OverlayAction};
use crate::scan::history::Record;
use crate::scan::{Class, Finding, Report};

/// Where the code base came from, for the overlay's title and the README's precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeFrom {
    /// `--code PATH`.
    Flag,
    /// The project holding the team's `.devguide/` folder.
    Team,
    /// `code = "…"` in the configuration.
    Config,
}

/// The code base the reader checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBase {
    pub root: PathBuf,
    pub from: CodeFrom,
}

impl CodeBase {
    /// The code base to check: `--code` first (what the user just typed wins, as flags do
    /// everywhere else), then the project of team mode (`team_state` is its
    /// `.devguide/state.json`), then the configuration's `code`. `None` when nothing
    /// names one.
    pub fn choose(
        flag: Option<PathBuf>,
        team_state: Option<&Path>,
        config: Option<PathBuf>,
    ) -> Option<CodeBase> {
        if let Some(root) = flag {
            return Some(CodeBase {
                root,
                from: CodeFrom::Flag,
            });
        }
        let team = team_state
            .and_then(Path::parent)
            .and_then(Path::parent)
            .map(|p| {
                // `--state .devguide/state.json`: the project is the current folder.
                if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p.to_path_buf()
                }
            });
        if let Some(root) = team {
            return Some(CodeBase {
                root,
                from: CodeFrom::Team,
            });
        }
        config.map(|root| CodeBase {
            root,
            from: CodeFrom::Config,
        })
    }
}

/// A scan that came back: its report and when it ended.
#[derive(Debug, Clone)]
pub struct Scanned {
    pub report: Report,
    /// Local time, `14:02`: what the reader shows.
    pub clock: String,
    /// RFC 3339 (UTC): what the history file keeps.
    pub at: String,
}

/// What the reader knows of the code base.
#[derive(Debug, Default)]
pub struct Code {
    pub base: Option<CodeBase>,
    /// The latest scan that finished.
    pub last: Option<Arc<Scanned>>,
    /// A scan is out; no second one is asked for until it answers.
    pub running: bool,
    /// Why the latest scan failed, until one succeeds.
    pub error: Option<String>,
    /// A scan was asked for at least once (the first is asked for by itself, when a
    /// guide with a self-verifying item opens or the overlay does).
    requested: bool,
    /// Each migration's recorded scans, oldest first (`scans.json`), for the panel.
    pub history: BTreeMap<String, Vec<Record>>,
    /// The migration a self-verifying item was just ticked in: its scan is recorded
    /// once the tick is saved.
    pub record_on_save: Option<String>,
    /// A guide changed since the last scan: the rules may have too.
    rules_changed: bool,
}

/// The one line said when no code base is known.
pub const NO_CODE_BASE: &str =
    "no code base to check: start with --code PATH, or set code = \"…\" in the config";

impl Code {
    /// The live state of a self-verifying item: "3 deprecated imports left in 2 files",
    /// "verified clean at 14:02", "scanning…", or why there is none.
    pub fn state_text(&self) -> String {
        if self.base.is_none() {
            return NO_CODE_BASE.to_string();
        }
        match (&self.last, &self.error) {
            (_, Some(e)) => format!("scan failed: {e}"),
            (Some(s), None) => summary(s),
            (None, None) => "scanning\u{2026}".to_string(),
        }
    }

    /// The same in a few words, for a row with little room left: "11 imports left",
    /// "clean at 14:02".
    pub fn short_state_text(&self) -> String {
        if self.base.is_none() {
            return "no code base".to_string();
        }
        match (&self.last, &self.error) {
            (_, Some(_)) => "scan failed".to_string(),
            (Some(s), None) if s.report.findings.is_empty() => format!("clean at {}", s.clock),
            (Some(s), None) => {
                let n = s.report.findings.len();
                format!("{n} import{} left", plural(n))
            }
            (None, None) => "scanning\u{2026}".to_string(),
        }
    }

    /// Whether the latest scan found nothing.
    pub fn clean(&self) -> Option<bool> {
        self.last.as_ref().map(|s| s.report.findings.is_empty())
    }
}

/// "3 deprecated imports left in 2 files", or "verified clean at 14:02".
pub fn summary(s: &Scanned) -> String {
    let report = &s.report;
    if report.findings.is_empty() {
        return format!("verified clean at {}", s.clock);
    }
    let files = report.files_with_findings();
    format!(
        "{} left in {files} file{}",
        count_imports(report),
        plural(files)
    )
}

/// "3 deprecated imports", "1 deprecated and 2 problematic imports".
fn count_imports(report: &Report) -> String {
    let d = report
        .findings
        .iter()
        .filter(|f| f.class == Class::Deprecated)
        .count();
    let p = report.findings.len() - d;
    describe_counts(d, p)
}

fn describe_counts(d: usize, p: usize) -> String {
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} deprecated"));
    }
    if p > 0 {
        parts.push(format!("{p} problematic"));
    }
    if parts.is_empty() {
        return "no deprecated or problematic imports".to_string();
    }
    format!("{} import{}", parts.join(" and "), plural(d + p))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The history record of a scan (what `devguide scan --migration` records too).
pub fn record(s: &Scanned) -> Record {
    Record::of(&s.report, s.at.clone())
}

/// "14 deprecated imports left, 31 a week ago": the latest record against the one
/// closest to a week before it (else the first), that one's age counted from `now`.
pub fn trend(records: &[Record], now: SystemTime) -> Option<String> {
    let last = records.last()?;
    let left = format!(
        "{} left",
        describe_counts(last.deprecated, last.problematic)
    );
    let at = |r: &Record| humantime::parse_rfc3339(&r.at).ok();
    let Some(earlier) = crate::scan::history::compared_with(records) else {
        return Some(match at(last) {
            Some(t) => format!("{left} (scanned {})", ago(t, now)),
            None => left,
        });
    };
    let when = at(earlier).map_or_else(|| earlier.at.clone(), |t| ago(t, now));
    Some(format!("{left}, {} {when}", earlier.findings))
}

/// "just now", "5 minutes ago", "yesterday", "a week ago", "3 weeks ago".
pub fn ago(then: SystemTime, now: SystemTime) -> String {
    let secs = now.duration_since(then).map_or(0, |d| d.as_secs());
    let (n, unit) = match secs {
        0..60 => return "just now".to_string(),
        60..3_600 => (secs / 60, "minute"),
        3_600..86_400 => (secs / 3_600, "hour"),
        86_400..172_800 => return "yesterday".to_string(),
        172_800..604_800 => (secs / 86_400, "day"),
        604_800..1_209_600 => return "a week ago".to_string(),
        _ => (secs / 604_800, "week"),
    };
    format!("{n} {unit}{} ago", plural(n as usize))
}

/// The findings overlay's own state: which finding is selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Panel {
    pub selected: usize,
}

/// A row of the overlay's list: a file's name, then its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    File(usize),
    Finding(usize),
}

/// The list's rows for `findings` (sorted by file, as a scan reports them).
pub fn rows(findings: &[Finding]) -> Vec<Row> {
    let mut out = Vec::with_capacity(findings.len() + 8);
    let mut previous: Option<&Path> = None;
    for (i, f) in findings.iter().enumerate() {
        if previous != Some(f.path.as_path()) {
            out.push(Row::File(i));
            previous = Some(f.path.as_path());
        }
        out.push(Row::Finding(i));
    }
    out
}

/// `path` as shown: relative to the code base's root when inside it.
pub fn shown_path(path: &Path, root: Option<&Path>) -> String {
    let rel = root
        .and_then(|r| path.strip_prefix(r).ok())
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path);
    crate::sanitize::sanitize_line(&rel.display().to_string())
}

impl App {
    /// `F`: the findings overlay; the first scan is asked for now if none was.
    pub(super) fn open_findings(&mut self) -> Vec<Effect> {
        self.overlay = Some(Overlay::Findings(Panel::default()));
        if self.code.base.is_none() {
            self.set_status(NO_CODE_BASE.to_string(), false);
            return Vec::new();
        }
        if self.code.requested {
            return Vec::new();
        }
        self.scan().into_iter().collect()
    }

    /// Asks for a scan of the code base, unless one is out or none is known.
    pub(super) fn scan(&mut self) -> Option<Effect> {
        let base = self.code.base.as_ref()?;
        if self.code.running {
            return None;
        }
        // The rules come from the guides' text: a set read only from its files' heads
        // waits until the whole is read, then scans (see `scan_for_open_guide`).
        if self.partial_set {
            self.code.requested = true;
            self.code.rules_changed = true;
            return None;
        }
        self.code.running = true;
        self.code.requested = true;
        Some(Effect::Scan {
            root: base.root.clone(),
            set: self.set.clone(),
        })
    }

    /// A guide changed on disk or joined or left the set: a change to a guide is a change
    /// to the rules, so a code base already scanned is scanned again.
    pub(super) fn rules_may_have_changed(&mut self) {
        self.code.rules_changed = self.code.requested;
    }

    /// The first scan, asked for by itself when the open guide has a self-verifying item,
    /// and a fresh one once the guides changed.
    pub(super) fn scan_for_open_guide(&mut self) -> Option<Effect> {
        if self.code.rules_changed && !self.code.running {
            self.code.rules_changed = false;
            return self.scan();
        }
        if self.code.requested || self.code.base.is_none() {
            return None;
        }
        let verifies = self
            .reader
            .doc
            .tasks
            .iter()
            .any(|t| t.check == Some(TaskCheck::Scan));
        if verifies { self.scan() } else { None }
    }

    /// A scan came back (or failed).
    pub(crate) fn scanned(&mut self, result: Result<Scanned, String>) {
        self.code.running = false;
        match result {
            Ok(s) => {
                self.code.error = None;
                if let Some(Overlay::Findings(p)) = &mut self.overlay {
                    p.selected = p.selected.min(s.report.findings.len().saturating_sub(1));
                }
                let problems = s.report.problems.len();
                self.code.last = Some(Arc::new(s));
                if problems > 0 {
                    self.set_status(
                        format!(
                            "{problems} file{} of the code base could not be read (`devguide scan` lists them)",
                            plural(problems)
                        ),
                        true,
                    );
                }
            }
            Err(e) => {
                self.code.error = Some(crate::sanitize::sanitize_line(&e));
                self.set_status(format!("scan failed: {e}"), true);
            }
        }
    }

    /// The findings of the latest scan (none before the first).
    pub fn findings(&self) -> &[Finding] {
        self.code
            .last
            .as_ref()
            .map_or(&[], |s| s.report.findings.as_slice())
    }

    /// A key in the findings overlay: its own table (`[keys.in_findings]`).
    pub(super) fn findings_key(&mut self, mut panel: Panel, key: &KeyEvent) -> Vec<Effect> {
        let n = self.findings().len();
        let page = self.height().saturating_sub(8).max(1);
        let action = self.keymap.overlay_action(Mode::Findings, key);
        // The key that opened the overlay closes it too, as `?` and `M` do theirs.
        if action.is_none() && self.keymap.actions(key).contains(&super::Action::Findings) {
            return Vec::new();
        }
        let selected = self.findings().get(panel.selected).cloned();
        let mut effects = Vec::new();
        match action {
            Some(OverlayAction::Close) => return Vec::new(),
            Some(OverlayAction::Rescan) => match self.scan() {
                Some(e) => effects.push(e),
                None if self.code.base.is_none() => {
                    self.set_status(NO_CODE_BASE.to_string(), false)
                }
                None => self.set_status("a scan is already running".into(), false),
            },
            Some(OverlayAction::Open) => match selected {
                Some(f) => effects.push(Effect::Edit {
                    path: f.path.clone(),
                    line: f.line as usize,
                }),
                None => self.set_status("no finding selected".into(), false),
            },
            Some(OverlayAction::Guide) => {
                if let Some(f) = selected {
                    // Opening the guide closes the overlay: the section is what was asked.
                    self.open_rule(&f.rule_id);
                    return Vec::new();
                }
                self.set_status("no finding selected".into(), false);
            }
            Some(OverlayAction::CopyImport) => {
                match selected.as_ref().and_then(|f| f.replacement.as_ref()) {
                    Some(r) => effects.push(Effect::Copy {
                        text: r.import_line.clone(),
                        what: "replacement import".into(),
                    }),
                    None => self.set_status(
                        "the guides give no one-to-one replacement for this one".into(),
                        false,
                    ),
                }
            }
            Some(a) => {
                if let Some(delta) = a.movement(page) {
                    panel.selected = list::step(panel.selected, delta, n);
                }
            }
            None => {}
        }
        self.overlay = Some(Overlay::Findings(panel));
        effects
    }

    /// Opens `guide#anchor`, the section that states a rule.
    fn open_rule(&mut self, rule_id: &str) {
        let (guide, anchor) = match rule_id.split_once('#') {
            Some((g, a)) => (g, Some(a)),
            None => (rule_id, None),
        };
        match self.set.guides.iter().position(|g| g.id == guide) {
            Some(g) => self.open(g, anchor),
            None => self.set_status(format!("no guide {guide} in this set"), true),
        }
    }

    /// The status note after a self-verifying item's tick was saved, and the effect that
    /// records its scan in the migration's history (none when there is no scan yet).
    pub(super) fn ticked_with_scan(&mut self, migration: String) -> Vec<Effect> {
        let Some(s) = self.code.last.clone() else {
            let why = if self.code.base.is_none() {
                "no code base known"
            } else {
                "the scan has not finished"
            };
            self.set_status(format!("ticked; no scan result recorded ({why})"), false);
            return Vec::new();
        };
        let n = s.report.findings.len();
        let note = if n == 0 {
            format!("ticked: {}", summary(&s))
        } else {
            format!(
                "ticked with {n} finding{} left ({})",
                plural(n),
                summary(&s)
            )
        };
        self.set_status(format!("{note}; scan recorded in {migration}"), n > 0);
        vec![Effect::RecordScan {
            set_key: self.checklists.set_key.clone(),
            migration,
            record: record(&s),
        }]
    }

    /// Ticking an item that verifies itself records the scan it stands on: remembers the
    /// migration when `ops` tick one, so the record follows once the tick is saved.
    pub(super) fn note_verifying_tick(&mut self, ops: &[Op]) {
        self.code.record_on_save = ops.iter().find_map(|op| match op {
            Op::SetTick {
                migration,
                item,
                done: true,
            } if self.verifies_itself(&item.guide, item.task_index) => Some(migration.clone()),
            _ => None,
        });
    }

    /// Whether task `task` of guide `guide` (by id) names a built-in check.
    fn verifies_itself(&self, guide: &str, task: usize) -> bool {
        let open = self
            .set
            .guides
            .get(self.reader.guide)
            .is_some_and(|g| g.id == guide);
        let check = if open {
            self.reader.doc.tasks.get(task).and_then(|t| t.check)
        } else {
            self.set
                .guides
                .iter()
                .position(|g| g.id == guide)
                .and_then(|g| self.docs.get(g).cloned().flatten())
                .and_then(|d| d.tasks.get(task).and_then(|t| t.check))
        };
        check == Some(TaskCheck::Scan)
    }

    /// Recorded scans read back from the history file, by migration.
    pub(crate) fn scan_history(&mut self, history: BTreeMap<String, Vec<Record>>) {
        self.code.history.extend(history);
    }

    /// Gives the reader its code base (before the first frame).
    pub fn set_code_base(&mut self, base: Option<CodeBase>) {
        self.code.base = base;
    }
}

#[cfg(test)]
mod update_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SystemTime {
        humantime::parse_rfc3339(s).expect("time")
    }

    fn rec(when: &str, d: usize, p: usize) -> Record {
        Record {
            at: when.into(),
            findings: d + p,
            deprecated: d,
            problematic: p,
            files: 1,
            per_rule: BTreeMap::new(),
        }
    }

    #[test]
    fn the_code_base_is_the_flag_then_the_team_project_then_the_config() {
        let team = Path::new("/work/proj/.devguide/state.json");
        let flag = CodeBase::choose(Some("src".into()), Some(team), Some("/cfg".into()));
        assert_eq!(flag.map(|c| c.from), Some(CodeFrom::Flag));
        let t = CodeBase::choose(None, Some(team), Some("/cfg".into())).expect("team");
        assert_eq!(
            (t.root.as_path(), t.from),
            (Path::new("/work/proj"), CodeFrom::Team)
        );
        let c = CodeBase::choose(None, None, Some("/cfg".into())).expect("config");
        assert_eq!(c.from, CodeFrom::Config);
        assert_eq!(CodeBase::choose(None, None, None), None);
    }

    #[test]
    fn trend_compares_with_a_week_before() {
        let now = at("2026-12-01T12:00:00Z");
        let records = [
            rec("2026-11-20T10:00:00Z", 40, 0),
            rec("2026-11-24T10:00:00Z", 31, 0),
            rec("2026-11-28T10:00:00Z", 20, 0),
            rec("2026-12-01T10:00:00Z", 14, 0),
        ];
        assert_eq!(
            trend(&records, now).as_deref(),
            Some("14 deprecated imports left, 31 a week ago")
        );
        assert_eq!(
            trend(&records[3..], now).as_deref(),
            Some("14 deprecated imports left (scanned 2 hours ago)")
        );
        let clean = [
            rec("2026-11-30T10:00:00Z", 3, 1),
            rec("2026-12-01T11:59:30Z", 0, 0),
        ];
        assert_eq!(
            trend(&clean, now).as_deref(),
            Some("no deprecated or problematic imports left, 4 yesterday")
        );
        assert_eq!(trend(&[], now), None);
    }

    #[test]
    fn ages_read_well() {
        let now = at("2026-12-01T12:00:00Z");
        let back = |s: u64| ago(now - std::time::Duration::from_secs(s), now);
        assert_eq!(back(5), "just now");
        assert_eq!(back(60), "1 minute ago");
        assert_eq!(back(7_200), "2 hours ago");
        assert_eq!(back(3 * 86_400), "3 days ago");
        assert_eq!(back(8 * 86_400), "a week ago");
        assert_eq!(back(22 * 86_400), "3 weeks ago");
        assert_eq!(
            ago(now + std::time::Duration::from_secs(9), now),
            "just now"
        );
    }
}

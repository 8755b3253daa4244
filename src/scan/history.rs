//! Scan results recorded per migration (`devguide scan --migration NAME`), so progress
//! over time is visible: "14 deprecated imports left, 31 a week ago".
//!
//! Kept in `scans.json` beside the checklist state file, in a file of its own so that a
//! scan never rewrites the ticks. The same rules as for the state apply: a versioned
//! file, read and rewritten under a lock file, written atomically (temp file, fsync,
//! rename, fsync the folder), never followed through a symlink, a corrupt file set aside
//! with a message instead of overwritten, a file from a newer version left alone.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// The version this build writes.
pub const VERSION: u32 = 1;
/// Most records kept per migration (the oldest go first).
pub const MAX_RECORDS: usize = 200;
/// Larger files are refused rather than read.
const MAX_BYTES: u64 = 8 * 1024 * 1024;
/// How long to wait for another devguide holding the lock.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// One scan's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// RFC 3339, seconds.
    pub at: String,
    pub findings: usize,
    pub deprecated: usize,
    pub problematic: usize,
    pub files: usize,
    /// Findings per rule (`guide#anchor`).
    pub per_rule: BTreeMap<String, usize>,
}

impl Record {
    /// The summary of `report`, taken at `at` (RFC 3339).
    pub fn of(report: &crate::scan::Report, at: String) -> Record {
        let deprecated = report
            .findings
            .iter()
            .filter(|f| f.class == crate::scan::Class::Deprecated)
            .count();
        let mut per_rule = BTreeMap::new();
        for f in &report.findings {
            *per_rule.entry(f.rule_id.clone()).or_default() += 1;
        }
        Record {
            at,
            findings: report.findings.len(),
            deprecated,
            problematic: report.findings.len() - deprecated,
            files: report.files_with_findings(),
            per_rule,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct FileData {
    version: u32,
    /// Guide set identity → migration → records, oldest first.
    sets: BTreeMap<String, BTreeMap<String, Vec<Record>>>,
}

/// The history file beside a state file.
pub fn path_for(state: &Path) -> PathBuf {
    state.with_file_name("scans.json")
}

/// The records of a migration, oldest first; problems are messages, never fatal.
pub fn read(path: &Path, set: &str, migration: &str) -> Result<Vec<Record>, String> {
    let data = load(path)?;
    Ok(data
        .sets
        .get(set)
        .and_then(|m| m.get(migration))
        .cloned()
        .unwrap_or_default())
}

/// Appends a record under the lock.
pub fn append(path: &Path, set: &str, migration: &str, record: Record) -> Result<(), String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let lock_path = path.with_file_name("scans.json.lock");
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("{}: {e}", lock_path.display()))?;
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match lock.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => {
                return Err(format!(
                    "{}: another devguide holds the lock ({e}); try again",
                    lock_path.display()
                ));
            }
        }
    }
    let mut data = load(path)?;
    if data.version > VERSION {
        return Err(format!(
            "{} was written by a newer devguide (version {}); left as it is",
            path.display(),
            data.version
        ));
    }
    data.version = VERSION;
    let list = data
        .sets
        .entry(set.to_string())
        .or_default()
        .entry(migration.to_string())
        .or_default();
    list.push(record);
    let excess = list.len().saturating_sub(MAX_RECORDS);
    list.drain(..excess);
    let bytes = serde_json::to_vec_pretty(&data).map_err(|e| e.to_string())?;
    write_atomic(path, &bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn load(path: &Path) -> Result<FileData, String> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(FileData::default()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    if !meta.file_type().is_file() {
        return Err(format!(
            "{} is not a regular file (a symlink or device?); it is never followed",
            path.display()
        ));
    }
    if meta.len() > MAX_BYTES {
        return Err(format!(
            "{} is larger than {MAX_BYTES} bytes; move it away",
            path.display()
        ));
    }
    let mut text = String::new();
    File::open(path)
        .and_then(|f| f.take(MAX_BYTES).read_to_string(&mut text))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match serde_json::from_str::<FileData>(&text) {
        Ok(d) => Ok(d),
        Err(e) => {
            let stamp = humantime::format_rfc3339_seconds(SystemTime::now())
                .to_string()
                .replace(':', "-");
            let aside = path.with_file_name(format!("scans.json.corrupt-{stamp}"));
            std::fs::rename(path, &aside).map_err(|r| format!("{}: {r}", path.display()))?;
            Err(format!(
                "{} could not be read ({e}); it was moved to {} and a new history starts",
                path.display(),
                aside.display()
            ))
        }
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_file_name(format!("scans.json.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    if let Some(dir) = path.parent()
        && let Ok(d) = File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The record a trend compares the latest with: the last one at least a week before it,
/// else the first; none when there is only one.
pub fn compared_with(records: &[Record]) -> Option<&Record> {
    let (last, earlier) = records.split_last()?;
    let first = earlier.first()?;
    let at = |r: &Record| humantime::parse_rfc3339(&r.at).ok();
    let week_before = at(last).and_then(|t| t.checked_sub(Duration::from_secs(7 * 86_400)));
    let found =
        week_before.and_then(|w| earlier.iter().rev().find(|r| at(r).is_some_and(|t| t <= w)));
    Some(found.unwrap_or(first))
}

/// "14 deprecated imports left, 31 a week ago": the latest record against the one
/// closest to a week before it (else the first).
pub fn trend(records: &[Record]) -> Option<String> {
    let last = records.last()?;
    let now = format!(
        "{} deprecated and {} problematic import{} left (scan at {})",
        last.deprecated,
        last.problematic,
        if last.findings == 1 { "" } else { "s" },
        last.at
    );
    let Some(earlier) = compared_with(records) else {
        return Some(now);
    };
    Some(format!("{now}; {} at {}", earlier.findings, earlier.at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(at: &str, d: usize) -> Record {
        Record {
            at: at.into(),
            findings: d,
            deprecated: d,
            problematic: 0,
            files: 1,
            per_rule: BTreeMap::new(),
        }
    }

    #[test]
    fn records_append_per_migration_and_a_corrupt_file_is_set_aside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("scans.json");
        append(&path, "set", "m", record("2026-11-24T10:00:00Z", 31)).expect("append");
        append(&path, "set", "m", record("2026-12-01T10:00:00Z", 14)).expect("append");
        append(&path, "set", "other", record("2026-12-01T10:00:00Z", 1)).expect("append");
        let got = read(&path, "set", "m").expect("read");
        assert_eq!(got.len(), 2);
        assert_eq!(
            trend(&got).as_deref(),
            Some(
                "14 deprecated and 0 problematic imports left (scan at 2026-12-01T10:00:00Z); 31 at 2026-11-24T10:00:00Z"
            )
        );
        std::fs::write(&path, "{not json").expect("write");
        let err = read(&path, "set", "m").expect_err("corrupt");
        assert!(err.contains("moved to"), "{err}");
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 2);
    }

    #[test]
    fn a_newer_version_is_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("scans.json");
        std::fs::write(&path, "{\"version\": 9, \"sets\": {}}").expect("write");
        let err = append(&path, "s", "m", record("2026-12-01T10:00:00Z", 1)).expect_err("newer");
        assert!(err.contains("newer devguide"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "{\"version\": 9, \"sets\": {}}"
        );
    }
}

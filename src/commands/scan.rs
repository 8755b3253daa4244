//! `devguide scan`: the deprecated and problematic imports the guides name, found in a
//! code base. Exit codes as ruff's: 0 nothing found, 1 findings, 2 error.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::cli::ScanFormat;
use crate::content::GuideSet;
use crate::sanitize::sanitize_line;
use crate::scan::{Class, Finding, Report, Rules, ScanOptions, clean, explain, scan_paths};

use super::write_context;

/// Version of the `json` output; bumped when a field changes meaning or goes away.
pub const JSON_FORMAT: u32 = 1;

const CLEAN: u8 = 0;
const FINDINGS: u8 = 1;
const ERROR: u8 = 2;

/// The folders to scan: the paths given, else the current folder.
pub fn roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}

/// Paths given on the command line that do not exist: an error (exit 2), as in ripgrep.
pub fn missing(paths: &[PathBuf], err: &mut dyn Write) -> anyhow::Result<bool> {
    let mut any = false;
    for p in paths {
        if std::fs::symlink_metadata(p).is_err() {
            write_context(writeln!(
                err,
                "devguide: {}: no such file or folder",
                sanitize_line(&p.display().to_string())
            ))?;
            any = true;
        }
    }
    Ok(any)
}

/// Runs the scan and prints it; returns the exit code and the report (for `--migration`).
pub fn run(
    set: &GuideSet,
    paths: &[PathBuf],
    format: ScanFormat,
    color: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<(u8, Option<Report>)> {
    let paths = roots(paths);
    if missing(&paths, err)? {
        return Ok((ERROR, None));
    }
    let rules = Rules::from_guides(set);
    if rules.is_empty() {
        write_context(writeln!(
            err,
            "devguide: the guides mark no import as deprecated or problematic, so there is nothing to check (see README: Scanning code)"
        ))?;
    }
    let report = scan_paths(&paths, &rules, &ScanOptions::default());
    print_problems(&report, err)?;
    match format {
        ScanFormat::Human => human(&report, color, out)?,
        ScanFormat::Json => {
            let v = json_report(&report);
            write_context(writeln!(out, "{}", serde_json::to_string_pretty(&v)?))?;
        }
        ScanFormat::Sarif => {
            let v = sarif(&report, &rules);
            write_context(writeln!(out, "{}", serde_json::to_string_pretty(&v)?))?;
        }
        ScanFormat::Github => github(&report, out)?,
    }
    let code = if report.findings.is_empty() {
        CLEAN
    } else {
        FINDINGS
    };
    Ok((code, Some(report)))
}

/// "3 deprecated imports left in 2 files" and the like.
pub fn summary(report: &Report) -> String {
    let (d, p) = counts(report);
    if d + p == 0 {
        return format!(
            "no deprecated or problematic imports ({} files checked)",
            report.files
        );
    }
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} deprecated"));
    }
    if p > 0 {
        parts.push(format!("{p} problematic"));
    }
    let files = report.files_with_findings();
    format!(
        "{} import{} left in {files} file{}",
        parts.join(" and "),
        if d + p == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" }
    )
}

/// Findings per class: (deprecated, problematic).
pub fn counts(report: &Report) -> (usize, usize) {
    let d = report
        .findings
        .iter()
        .filter(|f| f.class == Class::Deprecated)
        .count();
    (d, report.findings.len() - d)
}

/// Text in a colour (an SGR code) when colour is on.
struct Paint<'a, T>(T, &'a str, bool);

impl<T: std::fmt::Display> std::fmt::Display for Paint<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.2 {
            write!(f, "\x1b[{}m{}\x1b[0m", self.1, self.0)
        } else {
            self.0.fmt(f)
        }
    }
}

fn class_colour(class: Class) -> &'static str {
    match class {
        Class::Problematic => "1;31",
        _ => "33",
    }
}

/// Findings grouped by file, each with its explanation; then the summary. The files are
/// formatted in memory on every core (tens of thousands of findings are otherwise the
/// longest single-threaded part of a scan), then written in order.
fn human(report: &Report, color: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let files: Vec<&[Finding]> = report.findings.chunk_by(|a, b| a.path == b.path).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = files.len().div_ceil(threads).max(1);
    let blocks: Vec<String> = if files.len() < 64 {
        vec![human_files(&files, color)]
    } else {
        std::thread::scope(|s| {
            let running: Vec<_> = files
                .chunks(per_thread)
                .map(|part| s.spawn(move || human_files(part, color)))
                .collect();
            running
                .into_iter()
                .map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 && !block.is_empty() {
            write_context(writeln!(out))?;
        }
        write_context(out.write_all(block.as_bytes()))?;
    }
    if !report.findings.is_empty() {
        write_context(writeln!(out))?;
    }
    let fixable = report.findings.iter().filter(|f| f.fixable).count();
    let mut line = summary(report);
    if fixable > 0 {
        line.push_str(&format!(
            "; {fixable} fixable with `devguide fix` (preview with `devguide fix --diff`)"
        ));
    }
    write_context(writeln!(out, "{line}"))?;
    Ok(())
}

/// The human blocks of some files (each slice one file's findings), separated by blank
/// lines.
fn human_files(files: &[&[Finding]], color: bool) -> String {
    use std::fmt::Write as _;
    let mut block = String::new();
    for (i, findings) in files.iter().enumerate() {
        let Some(first) = findings.first() else {
            continue;
        };
        if i > 0 {
            block.push('\n');
        }
        let name = first.path.display().to_string();
        let _ = writeln!(block, "{}", Paint(clean(&name), "1;4", color));
        for f in *findings {
            let class = Paint(f.class.as_str(), class_colour(f.class), color);
            let _ = write!(block, "  {}:{}  {class}  ", f.line, f.column);
            block.push_str(&clean(&f.text));
            if let Some(c) = f.context {
                block.push_str("  [");
                block.push_str(c.label());
                block.push(']');
            }
            block.push('\n');
            for line in explain::lines(f) {
                block.push_str("      ");
                let _ = line.write_to(&mut block);
                block.push('\n');
            }
        }
    }
    block
}

fn json_report(report: &Report) -> Value {
    let (d, p) = counts(report);
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        *per_rule.entry(f.rule_id.as_str()).or_default() += 1;
    }
    json!({
        "format": JSON_FORMAT,
        "summary": {
            "findings": report.findings.len(),
            "deprecated": d,
            "problematic": p,
            "files_with_findings": report.files_with_findings(),
            "files_checked": report.files,
            "fixable": report.findings.iter().filter(|f| f.fixable).count(),
            "per_rule": per_rule,
        },
        "findings": report.findings.iter().map(|f| json!({
            "path": f.path.display().to_string(),
            "line": f.line,
            "column": f.column,
            "end_line": f.end_line,
            "end_column": f.end_column,
            "text": f.text,
            "form": f.form,
            "module": f.module,
            "name": f.name,
            "class": f.class,
            "rule": f.rule_id,
            "reason": f.reason,
            "replacement": f.replacement,
            "advice": f.advice,
            "context": f.context.map(|c| c.label()),
            "fixable": f.fixable,
        })).collect::<Vec<_>>(),
        "problems": report.problems.iter().map(|p| json!({
            "path": p.path.display().to_string(),
            "message": p.message,
        })).collect::<Vec<_>>(),
    })
}

/// A relative URI for a path as walked: forward slashes, no leading `./`, reserved
/// characters escaped.
fn uri(path: &std::path::Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s);
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn message(f: &Finding) -> String {
    let what = match &f.name {
        Some(n) => format!("{}.{n}", f.module),
        None => f.module.clone(),
    };
    let mut m = format!("{} import of {what}", f.class.as_str());
    if let Some(r) = &f.reason {
        m.push_str(&format!(": {r}"));
    }
    if let Some(r) = &f.replacement {
        m.push_str(&format!(". Use: {}", r.import_line));
    }
    for a in &f.advice {
        m.push_str(&format!(". {a}"));
    }
    if let Some(c) = f.context {
        m.push_str(&format!(" [{}]", c.label()));
    }
    m.push_str(&format!(" (see {})", f.rule_id));
    sanitize_line(&m)
}

/// SARIF 2.1.0: one rule per guide section, results with physical locations, and a fix
/// where the guides give a one-to-one replacement.
pub fn sarif(report: &Report, rules: &Rules) -> Value {
    let mut ids: Vec<&str> = rules.rules().iter().map(|r| r.id.as_str()).collect();
    ids.dedup();
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    let sarif_rules: Vec<Value> = ids
        .iter()
        .map(|id| {
            let first = rules.rules().iter().find(|r| r.id == *id);
            let class = first.map_or(Class::Deprecated, |r| r.class);
            let text = first
                .and_then(|r| r.reason.clone())
                .unwrap_or_else(|| format!("{} import", class.as_str()));
            json!({
                "id": id,
                "name": id.replace(['#', '-'], "_"),
                "shortDescription": { "text": sanitize_line(&text) },
                "fullDescription": { "text": sanitize_line(&first.map(|r| r.notes.join(" ")).filter(|s| !s.is_empty()).unwrap_or(text)) },
                "defaultConfiguration": { "level": level(class) },
                "properties": { "tags": [class.as_str()] },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let region = json!({
                "startLine": f.line,
                "startColumn": f.column,
                "endLine": f.end_line,
                "endColumn": f.end_column,
            });
            let location = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(&f.path) },
                    "region": region,
                }
            });
            let mut result = json!({
                "ruleId": f.rule_id,
                "ruleIndex": ids.iter().position(|i| *i == f.rule_id).unwrap_or(0),
                "level": level(f.class),
                "message": { "text": message(f) },
                "locations": [location],
            });
            if let Some(fix) = &f.fix
                && let Some(obj) = result.as_object_mut()
            {
                obj.insert(
                    "fixes".into(),
                    json!([{
                        "description": { "text": sanitize_line(&format!("Import from {}", fix.edit.text)) },
                        "artifactChanges": [{
                            "artifactLocation": { "uri": uri(&f.path) },
                            "replacements": [{
                                "deletedRegion": {
                                    "startLine": fix.line,
                                    "startColumn": fix.column,
                                    "endLine": fix.end_line,
                                    "endColumn": fix.end_column,
                                },
                                "insertedContent": { "text": fix.edit.text }
                            }]
                        }]
                    }]),
                );
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "devguide",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": sarif_rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn level(class: Class) -> &'static str {
    match class {
        Class::Problematic => "error",
        _ => "warning",
    }
}

/// GitHub Actions workflow commands: `::warning file=…,line=…::message`.
fn github(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    for f in &report.findings {
        let kind = level(f.class);
        write_context(writeln!(
            out,
            "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&f.path.display().to_string()),
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            property(&format!("devguide {}", f.rule_id)),
            data(&message(f))
        ))?;
    }
    Ok(())
}

/// Escapes for a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes for a workflow command's property value.
fn property(s: &str) -> String {
    data(&sanitize_line(s))
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// `scan --migration NAME`: appends the scan's summary to the migration's history.
/// Returns false (after saying why) when it could not.
pub fn record(
    set: &GuideSet,
    state_flag: Option<&std::path::Path>,
    migration: &str,
    report: &Report,
    err: &mut dyn Write,
) -> anyhow::Result<bool> {
    let location = crate::checklist::location::resolve_current(state_flag)?;
    let opened = crate::checklist::Store::open(&location.path);
    let set_key = set.identity();
    if opened.state.migration(&set_key, migration).is_none() {
        write_context(writeln!(
            err,
            "devguide: no migration '{}' for this guide set; start it with `devguide checklist new {}`",
            sanitize_line(migration),
            sanitize_line(migration)
        ))?;
        return Ok(false);
    }
    let at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let record = crate::scan::history::Record::of(report, at);
    let path = crate::scan::history::path_for(&location.path);
    if let Err(e) = crate::scan::history::append(&path, &set_key, migration, record) {
        write_context(writeln!(err, "devguide: {}", sanitize_line(&e)))?;
        return Ok(false);
    }
    Ok(true)
}

/// The migration's scan trend under `checklist show`, when scans were recorded.
pub fn write_trend(
    state: &std::path::Path,
    set_key: &str,
    migration: &str,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let path = crate::scan::history::path_for(state);
    if let Ok(records) = crate::scan::history::read(&path, set_key, migration)
        && let Some(t) = crate::scan::history::trend(&records)
    {
        write_context(writeln!(
            out,
            "
scan: {}",
            sanitize_line(&t)
        ))?;
    }
    Ok(())
}

/// Files the walk could not read (unreadable, oversize, not UTF-8): one line each on
/// stderr. They never stop a scan.
pub(crate) fn print_problems(
    report: &crate::scan::Report,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    for p in &report.problems {
        write_context(writeln!(
            err,
            "devguide: {}: {}",
            sanitize_line(&p.path.display().to_string()),
            sanitize_line(&p.message)
        ))?;
    }
    Ok(())
}

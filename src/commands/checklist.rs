//! `devguide checklist …`: migrations and their ticks from the command line. Results go
//! to `out`, messages to `err`; the return value is the exit code (0 ok, 1 error,
//! 2 usage or ambiguity).

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::SystemTime;

use serde_json::json;

use crate::checklist::location::{self, STATE_ENV, TEAM_STATE};
use crate::checklist::log::{self, Event};
use crate::checklist::orphans;
use crate::checklist::safe_fs;
use crate::checklist::state::timestamp;
use crate::checklist::store::LOCK_WAIT;
use crate::checklist::{Catalog, Item, State, StateError, Store, StoreError};
use crate::cli::ChecklistCommand;
use crate::content::GuideSet;
use crate::sanitize::sanitize_line;

const OK: u8 = 0;
const FAIL: u8 = 1;
const USAGE: u8 = 2;
/// `checklist status`: the state could not be read, or names no such migration; CI must
/// tell that apart from "items still open" (1).
const GATE_ERROR: u8 = 2;

/// Printed once a change has waited a second for another devguide's lock.
fn lock_wait_notice(msg: &str) {
    eprintln!("devguide: {}", sanitize_line(msg));
}

/// What `init --here` puts in `.devguide/.gitattributes`: git merges migration logs by
/// keeping the lines of both sides (the built-in `union` driver, no set-up needed).
const GITATTRIBUTES: &str = "state.json.d/** merge=union\n";
/// What `init --here` puts in `.devguide/.gitignore`: the lock, temp files of a write in
/// progress and files set aside as damaged are never shared.
const GITIGNORE: &[&str] = &["*.lock", "*.tmp-*", "*.corrupt-*"];

pub fn run(
    cmd: &ChecklistCommand,
    set: &GuideSet,
    state_flag: Option<&Path>,
    migration_flag: Option<&str>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    if let ChecklistCommand::Init { here } = cmd {
        return init(*here, state_flag, out, err);
    }
    let location = match location::resolve_current(state_flag) {
        Ok(l) => l,
        Err(e) if matches!(cmd, ChecklistCommand::Status { .. }) => {
            writeln!(err, "devguide: {}", sanitize_line(&format!("{e:#}")))?;
            return Ok(GATE_ERROR);
        }
        Err(e) => return Err(e),
    };
    let opened = Store::open(&location.path);
    for notice in &opened.notices {
        writeln!(err, "devguide: {notice}")?;
    }
    let set_key = set.identity();
    let mut store = opened.store;
    store.set_lock_wait(LOCK_WAIT, Some(lock_wait_notice));
    let mut state = opened.state;
    // Only the index and the active migration were read: read what the command shows.
    let loaded = match cmd {
        ChecklistCommand::List { .. } => store.load_set(&mut state, &set_key),
        ChecklistCommand::Show { name, .. }
        | ChecklistCommand::Tick { name, .. }
        | ChecklistCommand::Untick { name, .. }
        | ChecklistCommand::Status { name, .. }
        | ChecklistCommand::Log { name, .. }
        | ChecklistCommand::Orphans { name, .. }
        | ChecklistCommand::Reattach { name, .. }
        | ChecklistCommand::Discard { name, .. }
        | ChecklistCommand::Rm { name, .. }
        | ChecklistCommand::Rename { old: name, .. } => {
            store.load_migration(&mut state, &set_key, name)
        }
        ChecklistCommand::New { .. } | ChecklistCommand::Init { .. } => Vec::new(),
    };
    for notice in &loaded {
        writeln!(err, "devguide: {notice}")?;
    }
    let mut cx = Cx {
        set: set_key,
        catalog: Catalog::from_set(set),
        store,
        state,
        now: SystemTime::now(),
        out,
        err,
    };
    match cmd {
        ChecklistCommand::List { json, .. } => cx.list(*json, migration_flag),
        ChecklistCommand::New { name } => cx.new_migration(name),
        ChecklistCommand::Rename { old, new } => cx.rename(old, new),
        ChecklistCommand::Rm { name, yes } => cx.rm(name, *yes),
        ChecklistCommand::Show { name, json } => {
            let code = cx.show(name, *json)?;
            if !*json && code == OK {
                let set_key = cx.set.clone();
                super::scan::write_trend(&location.path, &set_key, name, cx.out)?;
            }
            Ok(code)
        }
        ChecklistCommand::Tick { name, items } => cx.set_ticks(name, items, true),
        ChecklistCommand::Untick { name, items } => cx.set_ticks(name, items, false),
        ChecklistCommand::Status {
            name,
            verify: Some(code),
        } => cx.status_verified(name, set, code),
        ChecklistCommand::Status { name, .. } => cx.status(name),
        ChecklistCommand::Log { name, json } => cx.log(name, *json),
        ChecklistCommand::Orphans { name, json } => cx.orphans(name, *json),
        ChecklistCommand::Reattach {
            name,
            orphan,
            item,
            auto,
        } => match (orphan, item) {
            (Some(o), Some(i)) if !auto => cx.reattach(name, o, i),
            _ => cx.reattach_auto(name),
        },
        ChecklistCommand::Discard { name, orphan } => cx.discard(name, orphan),
        ChecklistCommand::Init { .. } => Ok(USAGE),
    }
}

/// `init --here`: the team file, created empty; an existing one is never replaced.
fn init(
    here: bool,
    state_flag: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    if !here {
        writeln!(
            err,
            "devguide: pass --here to create {TEAM_STATE} in the current folder"
        )?;
        return Ok(USAGE);
    }
    let cwd = std::env::current_dir()?;
    let path = cwd.join(TEAM_STATE);
    let exists = std::fs::symlink_metadata(&path).is_ok();
    if !exists && let Err(e) = Store::create_new(&path) {
        writeln!(
            err,
            "devguide: cannot create {}: {}",
            path.display(),
            sanitize_line(&e.to_string())
        )?;
        return Ok(FAIL);
    }
    let folder = cwd.join(".devguide");
    let mut added = Vec::new();
    for (name, lines) in [
        (".gitattributes", &[GITATTRIBUTES.trim_end()][..]),
        (".gitignore", GITIGNORE),
    ] {
        match ensure_lines(&folder, name, lines) {
            Ok(true) => added.push(name),
            Ok(false) => {}
            Err(e) => {
                writeln!(
                    err,
                    "devguide: cannot write {}: {}",
                    folder.join(name).display(),
                    sanitize_line(&e.to_string())
                )?;
                return Ok(FAIL);
            }
        }
    }
    if exists {
        let also = if added.is_empty() {
            String::new()
        } else {
            format!(
                "; added what was missing to .devguide/{}",
                added.join(", .devguide/")
            )
        };
        writeln!(
            err,
            "devguide: {} already exists; it is left as it is{also}",
            path.display()
        )?;
        return Ok(FAIL);
    }
    writeln!(
        out,
        "created {TEAM_STATE}: commit the .devguide folder to share checklist ticks through git \
         (.gitattributes lets git merge them by itself)"
    )?;
    if state_flag.is_some() || std::env::var_os(STATE_ENV).is_some_and(|v| !v.is_empty()) {
        writeln!(
            err,
            "devguide: note: --state or {STATE_ENV} is set and takes precedence over it"
        )?;
    }
    Ok(OK)
}

/// Adds to `folder/name` each of `lines` it lacks, never through a link. Whether it
/// changed the file.
fn ensure_lines(folder: &Path, name: &str, lines: &[&str]) -> std::io::Result<bool> {
    let path = folder.join(name);
    safe_fs::check_no_links(folder, &path, true)?;
    let current = safe_fs::read(&path)?.unwrap_or_default();
    let mut text = String::from_utf8_lossy(&current).into_owned();
    let missing: Vec<&&str> = lines
        .iter()
        .filter(|l| !text.lines().any(|have| have.trim() == **l))
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for l in missing {
        text.push_str(l);
        text.push('\n');
    }
    crate::checklist::store::write_atomic(folder, true, &path, text.as_bytes())?;
    Ok(true)
}

struct Cx<'a> {
    set: String,
    catalog: Catalog,
    store: Store,
    state: State,
    now: SystemTime,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
}

/// How an ITEM argument resolved.
enum Pick<'c> {
    One(&'c Item),
    None(String),
    Many(String, Vec<&'c Item>),
}

fn shown(name: &str) -> String {
    sanitize_line(name)
}

impl Cx<'_> {
    fn fail(&mut self, msg: impl std::fmt::Display) -> anyhow::Result<u8> {
        writeln!(self.err, "devguide: {msg}")?;
        Ok(FAIL)
    }

    /// Reports a store error; everything here is the user's to fix, so exit 1.
    fn store_failed(&mut self, e: StoreError) -> anyhow::Result<u8> {
        self.fail(e)
    }

    fn require_migration(&mut self, name: &str) -> anyhow::Result<bool> {
        if self.state.migration(&self.set, name).is_some() {
            return Ok(true);
        }
        let e = StateError::UnknownMigration {
            name: name.to_string(),
            existing: self
                .state
                .migration_names(&self.set)
                .iter()
                .map(|n| shown(n))
                .collect(),
        };
        writeln!(self.err, "devguide: {e}")?;
        Ok(false)
    }

    fn done(&self, migration: &str, item: &Item) -> bool {
        self.state
            .is_ticked(&self.set, migration, &item.id, item.default_checked)
    }

    fn ticked_at(&self, migration: &str, item: &Item) -> Option<String> {
        self.state
            .tick(&self.set, migration, &item.id)
            .filter(|t| t.done)
            .map(|t| t.at.clone())
    }

    /// Who ticked an item, when known.
    fn ticked_by(&self, migration: &str, item: &Item) -> Option<String> {
        self.state
            .tick(&self.set, migration, &item.id)
            .filter(|t| t.done && !t.by.is_empty())
            .map(|t| t.by.clone())
    }

    fn progress(&self, migration: &str) -> crate::checklist::Progress {
        self.catalog.rollup(|i| self.done(migration, i)).overall
    }

    fn list(&mut self, json: bool, migration_flag: Option<&str>) -> anyhow::Result<u8> {
        let summaries = self.state.migrations(&self.set);
        let active = migration_flag
            .filter(|m| summaries.iter().any(|s| s.name == *m))
            .or(self.state.active_migration(&self.set))
            .map(str::to_string);
        if json {
            let migrations: Vec<_> = summaries
                .iter()
                .map(|s| {
                    let p = self.progress(&s.name);
                    json!({
                        "name": s.name,
                        "active": active.as_deref() == Some(&s.name),
                        "done": p.done,
                        "total": p.total,
                        "last_change": s.last_change.map(timestamp),
                    })
                })
                .collect();
            let doc = json!({
                "format": 1,
                "state_file": self.store.path().display().to_string(),
                "active": active,
                "migrations": migrations,
            });
            writeln!(self.out, "{}", serde_json::to_string_pretty(&doc)?)?;
            return Ok(OK);
        }
        if summaries.is_empty() {
            let cwd = std::env::current_dir().unwrap_or_default();
            writeln!(
                self.err,
                "devguide: no migrations yet; start one with `devguide checklist new {}`",
                shown(&location::default_migration_name(&cwd))
            )?;
            return Ok(OK);
        }
        let width = summaries
            .iter()
            .map(|s| shown(&s.name).chars().count())
            .max()
            .unwrap_or(0);
        for s in &summaries {
            let p = self.progress(&s.name);
            let mark = if active.as_deref() == Some(&s.name) {
                '*'
            } else {
                ' '
            };
            let when = s.last_change.map_or_else(|| "never".to_string(), timestamp);
            writeln!(
                self.out,
                "{mark} {:<width$}  {}/{} done  last change {when}",
                shown(&s.name),
                p.done,
                p.total
            )?;
        }
        Ok(OK)
    }

    fn new_migration(&mut self, name: &str) -> anyhow::Result<u8> {
        let (set, now) = (self.set.clone(), self.now);
        let result = self.store.update(|s| {
            s.create_migration(&set, name, now)?;
            let activate = s.active_migration(&set).is_none();
            if activate {
                s.set_active(&set, name)?;
            }
            Ok::<bool, StoreError>(activate)
        });
        match result {
            Ok(u) => {
                self.notices(&u.notices)?;
                let active = if u.value {
                    " (now the active migration)"
                } else {
                    ""
                };
                writeln!(self.out, "created migration {}{active}", shown(name))?;
                Ok(OK)
            }
            Err(e) => self.store_failed(e),
        }
    }

    fn rename(&mut self, old: &str, new: &str) -> anyhow::Result<u8> {
        if !self.require_migration(old)? {
            return Ok(FAIL);
        }
        let (set, now) = (self.set.clone(), self.now);
        match self.store.update(|s| {
            s.rename_migration(&set, old, new, now)
                .map_err(StoreError::from)
        }) {
            Ok(u) => {
                self.notices(&u.notices)?;
                writeln!(
                    self.out,
                    "renamed migration {} to {}",
                    shown(old),
                    shown(new)
                )?;
                Ok(OK)
            }
            Err(e) => self.store_failed(e),
        }
    }

    fn rm(&mut self, name: &str, yes: bool) -> anyhow::Result<u8> {
        if !self.require_migration(name)? {
            return Ok(FAIL);
        }
        if !yes {
            let stdin = std::io::stdin();
            if !stdin.is_terminal() {
                return self.fail(format!(
                    "not deleting migration {} without confirmation; pass --yes",
                    shown(name)
                ));
            }
            let ticks = self
                .state
                .migration(&self.set, name)
                .map_or(0, |m| m.ticks.len());
            write!(
                self.err,
                "Delete migration {} and its {ticks} stored ticks? [y/N] ",
                shown(name)
            )?;
            self.err.flush()?;
            let mut answer = String::new();
            stdin.lock().read_line(&mut answer)?;
            if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
                writeln!(self.err, "devguide: kept migration {}", shown(name))?;
                return Ok(FAIL);
            }
        }
        let set = self.set.clone();
        match self
            .store
            .update(|s| s.delete_migration(&set, name).map_err(StoreError::from))
        {
            Ok(u) => {
                self.notices(&u.notices)?;
                writeln!(self.out, "deleted migration {}", shown(name))?;
                Ok(OK)
            }
            Err(e) => self.store_failed(e),
        }
    }

    fn show(&mut self, name: &str, json: bool) -> anyhow::Result<u8> {
        if !self.require_migration(name)? {
            return Ok(FAIL);
        }
        let ticks = self
            .state
            .migration(&self.set, name)
            .map(|m| m.ticks.clone())
            .unwrap_or_default();
        let orphans: Vec<(&String, &crate::checklist::Tick)> = self
            .catalog
            .orphans(ticks.keys())
            .into_iter()
            .filter_map(|id| Some((id, ticks.get(id)?)))
            .collect();
        if json {
            let items: Vec<_> = self
                .catalog
                .items()
                .iter()
                .map(|i| {
                    json!({
                        "number": i.number,
                        "id": i.id,
                        "guide": i.guide,
                        "heading": i.heading,
                        "text": i.text,
                        "ticked": self.done(name, i),
                        "ticked_at": self.ticked_at(name, i),
                        "ticked_by": self.ticked_by(name, i),
                    })
                })
                .collect();
            let orphaned: Vec<_> = orphans
                .iter()
                .map(|(id, t)| json!({"id": id, "text": t.text, "ticked": t.done, "ticked_at": t.done.then(|| t.at.clone())}))
                .collect();
            let doc = json!({"format": 1, "migration": name, "items": items, "orphaned": orphaned});
            writeln!(self.out, "{}", serde_json::to_string_pretty(&doc)?)?;
            return Ok(OK);
        }
        let p = self.progress(name);
        writeln!(self.out, "{}: {}/{} done", shown(name), p.done, p.total)?;
        if self.catalog.is_empty() {
            writeln!(
                self.out,
                "\nThis guide set has no checklist items (`- [ ]` lines)."
            )?;
        }
        let mut section: Option<(String, Option<String>)> = None;
        let width = self.catalog.len().to_string().len();
        for item in self.catalog.items() {
            let here = (item.guide.clone(), item.heading.clone());
            if section.as_ref() != Some(&here) {
                let heading = item
                    .heading
                    .as_deref()
                    .map(|h| format!(" > {h}"))
                    .unwrap_or_default();
                writeln!(self.out, "\n{}{heading}", item.guide)?;
                section = Some(here);
            }
            let mark = if self.done(name, item) { 'x' } else { ' ' };
            let by = self
                .ticked_by(name, item)
                .map(|b| format!(" by {}", sanitize_line(&b)))
                .unwrap_or_default();
            let when = self
                .ticked_at(name, item)
                .map(|t| format!("  (ticked {}{by})", sanitize_line(&t)))
                .unwrap_or_default();
            writeln!(
                self.out,
                "  {:>width$}. [{mark}] {}{when}",
                item.number, item.text
            )?;
        }
        if !orphans.is_empty() {
            writeln!(
                self.out,
                "\nOrphaned (their items are no longer in the guides; kept until re-attached or discarded):"
            )?;
            for (id, t) in &orphans {
                let mark = if t.done { 'x' } else { ' ' };
                let text = if t.text.is_empty() {
                    sanitize_line(id)
                } else {
                    sanitize_line(&t.text)
                };
                writeln!(
                    self.out,
                    "  - [{mark}] {text}  (ticked {}; id {})",
                    sanitize_line(&t.at),
                    sanitize_line(id)
                )?;
            }
        }
        Ok(OK)
    }

    fn pick<'c>(catalog: &'c Catalog, arg: &str) -> Pick<'c> {
        if let Ok(n) = arg.trim().parse::<usize>() {
            return match catalog.by_number(n) {
                Some(item) => Pick::One(item),
                None => Pick::None(format!(
                    "no item {n}; items are numbered 1 to {} (see `devguide checklist show NAME`)",
                    catalog.len()
                )),
            };
        }
        let needle = arg.to_lowercase();
        let norm = crate::checklist::model::normalize_text(arg);
        let exact: Vec<&Item> = catalog
            .items()
            .iter()
            .filter(|i| i.text.to_lowercase() == needle)
            .collect();
        if exact.len() == 1 {
            return Pick::One(exact[0]);
        }
        let mut hits: Vec<&Item> = catalog
            .items()
            .iter()
            .filter(|i| i.text.to_lowercase().contains(&needle))
            .collect();
        if hits.is_empty() && !norm.is_empty() {
            hits = catalog
                .items()
                .iter()
                .filter(|i| crate::checklist::model::normalize_text(&i.text).contains(&norm))
                .collect();
        }
        match hits.len() {
            0 => Pick::None(format!("no item matches {:?}", sanitize_line(arg))),
            1 => Pick::One(hits[0]),
            _ => Pick::Many(
                format!(
                    "{:?} matches {} items; give its number or more of its text:",
                    sanitize_line(arg),
                    hits.len()
                ),
                hits,
            ),
        }
    }

    fn set_ticks(&mut self, name: &str, args: &[String], done: bool) -> anyhow::Result<u8> {
        if !self.require_migration(name)? {
            return Ok(FAIL);
        }
        let mut chosen: Vec<Item> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut code = OK;
        for arg in args {
            match Self::pick(&self.catalog, arg) {
                Pick::One(item) => {
                    if seen.insert(item.number) {
                        chosen.push(item.clone());
                    }
                }
                Pick::None(msg) => {
                    writeln!(self.err, "devguide: {msg}")?;
                    code = code.max(FAIL);
                }
                Pick::Many(msg, items) => {
                    writeln!(self.err, "devguide: {msg}")?;
                    for i in items {
                        writeln!(self.err, "  {}. {} ({})", i.number, i.text, i.guide)?;
                    }
                    code = USAGE;
                }
            }
        }
        if code != OK {
            writeln!(self.err, "devguide: nothing was changed")?;
            return Ok(code);
        }
        let (set, now) = (self.set.clone(), self.now);
        let result = self.store.update(|s| {
            chosen
                .iter()
                .map(|item| s.set_tick(&set, name, item, done, now))
                .collect::<Result<Vec<bool>, StateError>>()
                .map_err(StoreError::from)
        });
        let updated = match result {
            Ok(u) => u,
            Err(e) => return self.store_failed(e),
        };
        self.notices(&updated.notices)?;
        self.state = updated.state;
        let verb = if done { "ticked" } else { "unticked" };
        for (item, changed) in chosen.iter().zip(&updated.value) {
            let already = if *changed { "" } else { " (already)" };
            writeln!(self.out, "{verb}{already} {}. {}", item.number, item.text)?;
        }
        let p = self.progress(name);
        writeln!(self.out, "{}: {}/{} done", shown(name), p.done, p.total)?;
        Ok(OK)
    }

    /// The gate: 0 all done, 1 items open, 2 error (see [`GATE_ERROR`]).
    fn status(&mut self, name: &str) -> anyhow::Result<u8> {
        if let Some(why) = self.store.damaged() {
            let why = sanitize_line(why);
            writeln!(
                self.err,
                "devguide: cannot tell whether {} is done: {why}",
                shown(name)
            )?;
            return Ok(GATE_ERROR);
        }
        if !self.require_migration(name)? {
            return Ok(GATE_ERROR);
        }
        let p = self.progress(name);
        writeln!(self.out, "{}: {}/{} done", shown(name), p.done, p.total)?;
        Ok(if p.is_complete() { OK } else { FAIL })
    }

    /// Orphaned ticks of a migration, in a stable order (by id): `orphans` numbers them
    /// from 1 and `reattach`/`discard` accept those numbers.
    fn orphan_list(&self, name: &str) -> Vec<(String, crate::checklist::Tick)> {
        let Some(m) = self.state.migration(&self.set, name) else {
            return Vec::new();
        };
        self.catalog
            .orphans(m.ticks.keys())
            .into_iter()
            .filter_map(|id| Some((id.clone(), m.ticks.get(id)?.clone())))
            .collect()
    }

    /// The items an orphan may belong to, closest first: open items only.
    fn candidates_for(
        &self,
        name: &str,
        id: &str,
        tick: &crate::checklist::Tick,
    ) -> Vec<orphans::Candidate<'_>> {
        orphans::candidates(&self.catalog, id, &tick.text, |i| !self.done(name, i))
    }

    fn orphans(&mut self, name: &str, json: bool) -> anyhow::Result<u8> {
        if !self.require_migration(name)? {
            return Ok(FAIL);
        }
        let list = self.orphan_list(name);
        let text_of = |id: &str, t: &crate::checklist::Tick| {
            if t.text.is_empty() {
                orphans::id_parts(id).2.to_string()
            } else {
                t.text.clone()
            }
        };
        if json {
            let entries: Vec<_> = list
                .iter()
                .enumerate()
                .map(|(n, (id, t))| {
                    let cands = self.candidates_for(name, id, t);
                    let carry = orphans::carry_target(&cands).map(|i| i.number);
                    let shown: Vec<_> = cands
                        .iter()
                        .take(5)
                        .map(|c| {
                            json!({
                                "number": c.item.number,
                                "text": c.item.text,
                                "guide": c.item.guide,
                                "heading": c.item.heading,
                                "similarity": (c.similarity * 100.0).round() / 100.0,
                            })
                        })
                        .collect();
                    json!({
                        "orphan": n + 1,
                        "id": id,
                        "text": text_of(id, t),
                        "ticked": t.done,
                        "at": t.at,
                        "by": (!t.by.is_empty()).then_some(&t.by),
                        "candidates": shown,
                        "carry_forward_to": carry,
                    })
                })
                .collect();
            let doc = json!({"format": 1, "migration": name, "orphans": entries});
            writeln!(self.out, "{}", serde_json::to_string_pretty(&doc)?)?;
            return Ok(OK);
        }
        if list.is_empty() {
            writeln!(self.out, "{} has no orphaned ticks", shown(name))?;
            return Ok(OK);
        }
        for (n, (id, t)) in list.iter().enumerate() {
            let mark = if t.done { 'x' } else { ' ' };
            writeln!(
                self.out,
                "{}. [{mark}] {}  (ticked {})",
                n + 1,
                sanitize_line(&text_of(id, t)),
                sanitize_line(&t.at)
            )?;
            let cands = self.candidates_for(name, id, t);
            let carry = orphans::carry_target(&cands).map(|i| i.number);
            let lines: Vec<String> = cands
                .iter()
                .take(3)
                .map(|c| {
                    let auto = if carry == Some(c.item.number) {
                        "  <- reattach --auto carries it here"
                    } else {
                        ""
                    };
                    format!(
                        "     {:>3}. {} ({}, {:.0}% alike){auto}",
                        c.item.number,
                        sanitize_line(&c.item.text),
                        sanitize_line(&c.item.guide),
                        c.similarity * 100.0
                    )
                })
                .collect();
            for line in lines {
                writeln!(self.out, "{line}")?;
            }
        }
        Ok(OK)
    }

    /// An ORPHAN argument: its number in `orphans` or its id.
    fn pick_orphan(&mut self, name: &str, arg: &str) -> anyhow::Result<Option<String>> {
        let list = self.orphan_list(name);
        let found = match arg.trim().parse::<usize>() {
            Ok(n) => n
                .checked_sub(1)
                .and_then(|i| list.get(i))
                .map(|(id, _)| id.clone()),
            Err(_) => list
                .iter()
                .find(|(id, _)| id == arg)
                .map(|(id, _)| id.clone()),
        };
        if found.is_none() {
            writeln!(
                self.err,
                "devguide: no orphaned tick {:?} in {} ({} orphaned; see `devguide checklist orphans {}`)",
                sanitize_line(arg),
                shown(name),
                list.len(),
                shown(name)
            )?;
        }
        Ok(found)
    }

    fn reattach_pairs(&mut self, name: &str, pairs: &[(String, Item)]) -> anyhow::Result<u8> {
        let (set, now) = (self.set.clone(), self.now);
        let result = self.store.update(|s| {
            for (orphan, item) in pairs {
                s.reattach(&set, name, orphan, item, now)?;
            }
            Ok::<(), StoreError>(())
        });
        match result {
            Ok(u) => {
                self.notices(&u.notices)?;
                self.state = u.state;
                for (_, item) in pairs {
                    writeln!(
                        self.out,
                        "re-attached to {}. {}",
                        item.number,
                        sanitize_line(&item.text)
                    )?;
                }
                Ok(OK)
            }
            Err(e) => self.store_failed(e),
        }
    }

    fn reattach(&mut self, name: &str, orphan: &str, item: &str) -> anyhow::Result<u8> {
        if !self.require_migration(name)? {
            return Ok(FAIL);
        }
        let Some(orphan) = self.pick_orphan(name, orphan)? else {
            return Ok(FAIL);
        };
        let target = match Self::pick(&self.catalog, item) {
            Pick::One(i) => i.clone(),
            Pick::None(msg) => return self.fail(msg),
            Pick::Many(msg, items) => {
                writeln!(self.err, "devguide: {msg}")?;
                for i in items {
                    writeln!(self.err, "  {}. {} ({})", i.number, i.text, i.guide)?;
                }
                return Ok(USAGE);
            }
        };
        self.reattach_pairs(name, &[(orphan, target)])
    }

    /// `reattach NAME --auto`: every orphan that is clearly one item reworded.
    fn reattach_auto(&mut self, name: &str) -> anyhow::Result<u8> {
        if !self.require_migration(name)? {
            return Ok(FAIL);
        }
        let mut pairs: Vec<(String, Item)> = Vec::new();
        for (id, t) in self.orphan_list(name) {
            let cands = self.candidates_for(name, &id, &t);
            if let Some(item) = orphans::carry_target(&cands)
                && !pairs.iter().any(|(_, i)| i.id == item.id)
            {
                pairs.push((id.clone(), item.clone()));
            }
        }
        if pairs.is_empty() {
            writeln!(
                self.err,
                "devguide: no orphaned tick of {} clearly matches one item; re-attach by hand \
                 (`devguide checklist orphans {}`)",
                shown(name),
                shown(name)
            )?;
            return Ok(OK);
        }
        self.reattach_pairs(name, &pairs)
    }

    fn discard(&mut self, name: &str, orphan: &str) -> anyhow::Result<u8> {
        if !self.require_migration(name)? {
            return Ok(FAIL);
        }
        let Some(orphan) = self.pick_orphan(name, orphan)? else {
            return Ok(FAIL);
        };
        let (set, now) = (self.set.clone(), self.now);
        match self.store.update(|s| {
            s.discard(&set, name, &orphan, now)
                .map_err(StoreError::from)
        }) {
            Ok(u) => {
                self.notices(&u.notices)?;
                writeln!(
                    self.out,
                    "discarded {}",
                    sanitize_line(&if u.value.text.is_empty() {
                        orphan.clone()
                    } else {
                        u.value.text.clone()
                    })
                )?;
                Ok(OK)
            }
            Err(e) => self.store_failed(e),
        }
    }

    /// `checklist log NAME`: every change, newest first: time, author, tick/untick, item.
    fn log(&mut self, name: &str, json: bool) -> anyhow::Result<u8> {
        if !self.require_migration(name)? {
            return Ok(FAIL);
        }
        let mut events: Vec<Event> = self
            .state
            .migration(&self.set, name)
            .map(|m| m.log.to_vec())
            .unwrap_or_default();
        if events.is_empty()
            && let Some(m) = self.state.migration(&self.set, name)
        {
            // A file from before the log (version 2): its ticks, of unknown author.
            events = m
                .ticks
                .iter()
                .map(|(id, t)| Event {
                    at: t.at.clone(),
                    by: t.by.clone(),
                    done: Some(t.done),
                    item: id.clone(),
                    seq: 0,
                    text: t.text.clone(),
                    extra: Default::default(),
                })
                .collect();
        }
        let mut order: Vec<&Event> = events.iter().collect();
        order.sort_by(|a, b| {
            if log::later(a, b) {
                std::cmp::Ordering::Less
            } else if log::later(b, a) {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        });
        let verb = |e: &Event| match e.done {
            Some(true) => "tick",
            _ => "untick",
        };
        let number = |e: &Event| self.catalog.get(&e.item).map(|i| i.number);
        if json {
            let changes: Vec<_> = order
                .iter()
                .map(|e| {
                    json!({
                        "at": e.at,
                        "by": (!e.by.is_empty()).then_some(&e.by),
                        "action": verb(e),
                        "done": e.done,
                        "item": e.item,
                        "number": number(e),
                        "text": e.text,
                    })
                })
                .collect();
            let doc = json!({"format": 1, "migration": name, "changes": changes});
            writeln!(self.out, "{}", serde_json::to_string_pretty(&doc)?)?;
            return Ok(OK);
        }
        if order.is_empty() {
            writeln!(self.err, "devguide: no changes in {} yet", shown(name))?;
            return Ok(OK);
        }
        for e in order {
            let who = if e.by.is_empty() { "?" } else { e.by.as_str() };
            let item = match number(e) {
                Some(n) => format!("{n}. {}", e.text),
                None => format!("{} (no longer in the guides)", e.text),
            };
            writeln!(
                self.out,
                "{}  {}  {:<6}  {}",
                sanitize_line(&e.at),
                sanitize_line(who),
                verb(e),
                sanitize_line(&item)
            )?;
        }
        Ok(OK)
    }

    /// `status --verify`: self-verifying items count as done when their check passes
    /// (whatever their tick), and the gate fails while a check finds something.
    fn status_verified(&mut self, name: &str, set: &GuideSet, code: &Path) -> anyhow::Result<u8> {
        if !self.require_migration(name)? {
            return Ok(FAIL);
        }
        let v = super::verify::run(set, code, self.out, self.err)?;
        if v.error {
            return Ok(USAGE);
        }
        let p = self
            .catalog
            .rollup(|i| self.done(name, i) || v.passed.contains(&(i.guide.clone(), i.task_index)))
            .overall;
        writeln!(self.out, "{}: {}/{} done", shown(name), p.done, p.total)?;
        Ok(if p.is_complete() && v.failed == 0 {
            OK
        } else {
            FAIL
        })
    }

    fn notices(&mut self, notices: &[String]) -> anyhow::Result<()> {
        for n in notices {
            writeln!(self.err, "devguide: {n}")?;
        }
        Ok(())
    }
}

//! `devguide checklist …`: migrations and their ticks from the command line. Results go
//! to `out`, messages to `err`; the return value is the exit code (0 ok, 1 error,
//! 2 usage or ambiguity).

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::SystemTime;

use serde_json::json;

use crate::checklist::location::{self, STATE_ENV, TEAM_STATE};
use crate::checklist::state::timestamp;
use crate::checklist::{Catalog, Item, State, StateError, Store, StoreError};
use crate::cli::ChecklistCommand;
use crate::content::GuideSet;
use crate::sanitize::sanitize_line;

const OK: u8 = 0;
const FAIL: u8 = 1;
const USAGE: u8 = 2;

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
    let location = location::resolve_current(state_flag)?;
    let opened = Store::open(&location.path);
    for notice in &opened.notices {
        writeln!(err, "devguide: {notice}")?;
    }
    let set_key = set.identity();
    let mut store = opened.store;
    let mut state = opened.state;
    // Only the index and the active migration were read: read what the command shows.
    let loaded = match cmd {
        ChecklistCommand::List { .. } => store.load_set(&mut state, &set_key),
        ChecklistCommand::Show { name, .. }
        | ChecklistCommand::Tick { name, .. }
        | ChecklistCommand::Untick { name, .. }
        | ChecklistCommand::Status { name }
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
        ChecklistCommand::Show { name, json } => cx.show(name, *json),
        ChecklistCommand::Tick { name, items } => cx.set_ticks(name, items, true),
        ChecklistCommand::Untick { name, items } => cx.set_ticks(name, items, false),
        ChecklistCommand::Status { name } => cx.status(name),
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
    if path.exists() {
        writeln!(
            err,
            "devguide: {} already exists; it is left as it is",
            path.display()
        )?;
        return Ok(FAIL);
    }
    if let Err(e) = Store::create_new(&path) {
        writeln!(err, "devguide: cannot create {}: {e}", path.display())?;
        return Ok(FAIL);
    }
    // Keep the lock and temp files out of commits; the state file itself is shared.
    let ignore = cwd.join(".devguide/.gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "*.lock\n*.tmp-*\n")?;
    }
    writeln!(
        out,
        "created {TEAM_STATE}: commit it and the state.json.d folder beside it to share checklist ticks through git"
    )?;
    if state_flag.is_some() || std::env::var_os(STATE_ENV).is_some_and(|v| !v.is_empty()) {
        writeln!(
            err,
            "devguide: note: --state or {STATE_ENV} is set and takes precedence over it"
        )?;
    }
    Ok(OK)
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
            let when = self
                .ticked_at(name, item)
                .map(|t| format!("  (ticked {t})"))
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

    fn status(&mut self, name: &str) -> anyhow::Result<u8> {
        if !self.require_migration(name)? {
            return Ok(FAIL);
        }
        let p = self.progress(name);
        writeln!(self.out, "{}: {}/{} done", shown(name), p.done, p.total)?;
        Ok(if p.is_complete() { OK } else { FAIL })
    }

    fn notices(&mut self, notices: &[String]) -> anyhow::Result<()> {
        for n in notices {
            writeln!(self.err, "devguide: {n}")?;
        }
        Ok(())
    }
}

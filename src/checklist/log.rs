//! A migration's file (version 3): a log of tick and untick events, one JSON object per
//! line, that git can merge on its own.
//!
//! ```text
//! {"devguide": "checklist", "migration": "auth-service", "version": 3}
//! {"at": "2026-03-01T10:00:00Z", "by": "Ana", "done": true, "item": "g#s#a", "seq": 1, "text": "Pin the version"}
//! {"at": "2026-03-01T10:05:00Z", "by": "Bo", "done": null, "item": "g#s#a", "seq": 2, "text": "Pin the version"}
//! ```
//!
//! - A change only ever appends lines, so two branches that tick touch different lines,
//!   and `merge=union` (see `.devguide/.gitattributes`) keeps the lines of both sides.
//! - The state of an item is its latest event: the greatest (time, author, seq, line).
//!   `seq` is one more than the greatest `seq` in the file when the event was written, so
//!   it grows along any one history and orders two changes of one person in the same
//!   second; the line itself breaks any remaining tie. Every machine decides the same.
//! - `done`: `true` ticked, `false` unticked (kept for items the guide writes `[x]`),
//!   `null` back to the guide's default (no record).
//! - Git conflict markers (a merge without the attributes, a rebase) are skipped: the
//!   lines of both sides are read, and the reader is told. A line that is not an event is
//!   skipped with a message naming its line number; the file is never set aside for it.
//! - The header repeats after a union merge of two files created apart; any header is
//!   accepted. A header of a newer version makes the file read-only.
//!
//! Nothing is compacted: a 10,000-event log is about 1.5 MB and reads in a few ms, and
//! rewriting old lines is exactly what would turn a clean merge into a conflict.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

use super::state::Key;

use super::state::{Tick, Ticks};

/// The version of migration files this build writes.
pub const LOG_VERSION: u64 = 3;

/// One change to one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// RFC 3339 UTC.
    pub at: String,
    /// Who made it: `git config user.name`, else the login name; empty when unknown
    /// (ticks carried over from a version 2 file).
    pub by: String,
    /// `Some(true)` tick, `Some(false)` untick, `None` back to the guide's default.
    pub done: Option<bool>,
    pub item: String,
    pub seq: u64,
    /// The item's text at the time, so an orphaned tick can still be recognised.
    pub text: String,
    pub extra: BTreeMap<String, Value>,
}

/// A migration's events in file order, shared: cloning a state must stay cheap.
pub type Log = Arc<Vec<Event>>;

/// What a migration file holds.
#[derive(Debug, Default)]
pub struct Parsed {
    pub events: Vec<Event>,
    /// Unknown fields of the header, kept on a rewrite.
    pub header_extra: BTreeMap<String, Value>,
    /// The greatest header version seen; above [`LOG_VERSION`] the file is read-only.
    pub version: u64,
    /// Git conflict markers were found (and skipped).
    pub conflict_markers: bool,
    /// Lines that are neither header nor event: (line number from 1, why).
    pub bad_lines: Vec<(usize, String)>,
}

fn is_marker(line: &str) -> bool {
    ["<<<<<<<", "=======", ">>>>>>>", "|||||||"]
        .iter()
        .any(|m| line.starts_with(m))
}

/// Whether bytes look like a log rather than a version 2 file (one JSON object, pretty
/// or not): its first line is a header or an event on its own.
pub fn is_log(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let Some(first) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return true;
    };
    is_marker(first)
        || serde_json::from_str::<Map<String, Value>>(first)
            .is_ok_and(|m| m.contains_key("item") || m.contains_key("devguide"))
}

pub fn parse(bytes: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    let text = String::from_utf8_lossy(bytes);
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if is_marker(line) {
            out.conflict_markers = true;
            continue;
        }
        let parsed = match serde_json::from_str::<Line>(line) {
            Ok(l) => l,
            Err(e) => {
                out.bad_lines
                    .push((n + 1, format!("not a checklist log line ({e})")));
                continue;
            }
        };
        if let Some(item) = parsed.item {
            let done = match parsed.done {
                Some(Value::Bool(b)) => Some(b),
                Some(Value::Null) | None => None,
                Some(v) => {
                    out.bad_lines
                        .push((n + 1, format!("\"done\" is {v}, not true, false or null")));
                    continue;
                }
            };
            let Some(at) = parsed.at else {
                out.bad_lines
                    .push((n + 1, "an event without \"at\"".into()));
                continue;
            };
            out.events.push(Event {
                at,
                by: parsed.by.unwrap_or_default(),
                done,
                item,
                seq: parsed.seq.as_ref().and_then(Value::as_u64).unwrap_or(0),
                text: parsed.text.unwrap_or_default(),
                extra: parsed.extra,
            });
        } else if parsed.devguide.as_ref().and_then(Value::as_str) == Some("checklist") {
            let version = parsed.version.as_ref().and_then(Value::as_u64).unwrap_or(0);
            out.version = out.version.max(version);
            out.header_extra.extend(parsed.extra);
        } else {
            out.bad_lines
                .push((n + 1, "neither an event nor the header".into()));
        }
    }
    out
}

/// One line of a log, header or event: known fields read directly (no intermediate
/// tree: a 10,000-line log must read in a few milliseconds), the rest kept in `extra`.
struct Line {
    item: Option<String>,
    at: Option<String>,
    by: Option<String>,
    text: Option<String>,
    done: Option<Value>,
    seq: Option<Value>,
    devguide: Option<Value>,
    version: Option<Value>,
    extra: BTreeMap<String, Value>,
}

crate::checklist::state::record_deserialize!(Line, "a checklist log line", |map, key, extra| {
    item: String = "item",
    at: String = "at",
    by: String = "by",
    text: String = "text",
    done: Value = "done",
    seq: Value = "seq",
    devguide: Value = "devguide",
    version: Value = "version",
    _migration: Value = "migration",
} => Ok(Line { item, at, by, text, done, seq, devguide, version, extra }));

/// The event as its line (without the newline): compact, keys sorted.
pub fn line(e: &Event) -> String {
    let mut map: Map<String, Value> = e
        .extra
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    map.insert("at".into(), Value::from(e.at.as_str()));
    if !e.by.is_empty() {
        map.insert("by".into(), Value::from(e.by.as_str()));
    }
    map.insert("done".into(), e.done.map_or(Value::Null, Value::from));
    map.insert("item".into(), Value::from(e.item.as_str()));
    map.insert("seq".into(), Value::from(e.seq));
    map.insert("text".into(), Value::from(e.text.as_str()));
    super::format::compact_line(&Value::Object(map))
}

pub fn header(name: &str, extra: &BTreeMap<String, Value>) -> String {
    let mut map: Map<String, Value> = extra.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    map.insert("devguide".into(), Value::from("checklist"));
    map.insert("migration".into(), Value::from(name));
    map.insert("version".into(), Value::from(LOG_VERSION));
    super::format::compact_line(&Value::Object(map))
}

/// The whole file: header, then every event.
pub fn render(name: &str, extra: &BTreeMap<String, Value>, events: &[Event]) -> String {
    let mut out = header(name, extra);
    out.push('\n');
    for e in events {
        out.push_str(&line(e));
        out.push('\n');
    }
    out
}

/// When an event was made: parsed, so that any RFC 3339 spelling orders correctly.
fn time(e: &Event) -> Option<SystemTime> {
    humantime::parse_rfc3339_weak(&e.at).ok()
}

/// Orders two events whose times are known (see the module notes).
fn order(
    a: &Event,
    ta: Option<SystemTime>,
    b: &Event,
    tb: Option<SystemTime>,
) -> std::cmp::Ordering {
    (ta, a.by.as_str(), a.seq)
        .cmp(&(tb, b.by.as_str(), b.seq))
        .then_with(|| line(a).cmp(&line(b)))
}

/// Whether `a` is later than `b` (see the module notes for the order).
pub fn later(a: &Event, b: &Event) -> bool {
    order(a, time(a), b, time(b)) == std::cmp::Ordering::Greater
}

/// The latest event per item, in item order. Each time is parsed once.
pub fn latest(events: &[Event]) -> BTreeMap<&str, &Event> {
    let mut out: BTreeMap<&str, (&Event, Option<SystemTime>)> = BTreeMap::new();
    for e in events {
        let t = time(e);
        match out.get(e.item.as_str()) {
            Some((current, ct)) if order(e, t, current, *ct) != std::cmp::Ordering::Greater => {}
            _ => {
                out.insert(&e.item, (e, t));
            }
        }
    }
    out.into_iter().map(|(k, (e, _))| (k, e)).collect()
}

/// The ticks the events add up to.
pub fn fold(events: &[Event]) -> Ticks {
    latest(events)
        .into_iter()
        .filter_map(|(id, e)| {
            let done = e.done?;
            Some((
                id.to_string(),
                Tick {
                    done,
                    at: e.at.clone(),
                    text: e.text.clone(),
                    by: e.by.clone(),
                    extra: e.extra.clone(),
                },
            ))
        })
        .collect()
}

/// The events that turn `before` into `after`, numbered from `seq`. A removed tick takes
/// the time `now`; a new or changed one its own time, but never earlier than `now` when
/// `at_least_now` (a re-attached tick keeps an old time, and its event must still come
/// after every earlier event on its item).
pub fn diff(
    before: &Ticks,
    after: &Ticks,
    by: &str,
    now: &str,
    seq: u64,
    at_least_now: bool,
) -> Vec<Event> {
    let removed_at = now;
    let mut out = Vec::new();
    let mut seq = seq;
    for (id, t) in after.iter() {
        let same = before
            .get(id)
            .is_some_and(|b| b.done == t.done && b.at == t.at && b.text == t.text);
        if same {
            continue;
        }
        let at = if at_least_now && now > t.at.as_str() {
            now.to_string()
        } else {
            t.at.clone()
        };
        out.push(Event {
            at,
            by: if t.by.is_empty() {
                by.to_string()
            } else {
                t.by.clone()
            },
            done: Some(t.done),
            item: id.clone(),
            seq,
            text: t.text.clone(),
            extra: t.extra.clone(),
        });
        seq += 1;
    }
    for (id, t) in before.iter() {
        if after.contains_key(id) {
            continue;
        }
        out.push(Event {
            at: removed_at.to_string(),
            by: by.to_string(),
            done: None,
            item: id.clone(),
            seq,
            text: t.text.clone(),
            extra: BTreeMap::new(),
        });
        seq += 1;
    }
    out
}

pub fn next_seq(events: &[Event]) -> u64 {
    events.iter().map(|e| e.seq).max().map_or(1, |s| s + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(at: &str, by: &str, done: Option<bool>, item: &str, seq: u64) -> Event {
        Event {
            at: at.into(),
            by: by.into(),
            done,
            item: item.into(),
            seq,
            text: format!("text {item}"),
            extra: BTreeMap::new(),
        }
    }

    #[test]
    fn the_latest_event_wins_whatever_the_line_order() {
        let a = ev("2026-01-01T10:00:00Z", "Ana", Some(true), "x", 1);
        let b = ev("2026-01-01T10:00:01Z", "Bo", None, "x", 1);
        let c = ev("2026-01-01T10:00:01Z", "Ana", Some(true), "y", 2);
        let d = ev("2026-01-01T10:00:01Z", "Bo", Some(false), "y", 1);
        for events in [
            vec![a.clone(), b.clone(), c.clone(), d.clone()],
            vec![d.clone(), c.clone(), b.clone(), a.clone()],
        ] {
            let ticks = fold(&events);
            assert!(ticks.get("x").is_none(), "the later untick wins");
            let y = ticks.get("y").expect("y");
            assert!(!y.done, "same second: the author breaks the tie");
            assert_eq!(y.by, "Bo");
        }
    }

    #[test]
    fn conflict_markers_read_as_both_sides_and_bad_lines_are_named() {
        let text = format!(
            "{}\n<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> a\nnot json\n",
            header("m", &BTreeMap::new()),
            line(&ev("2026-01-01T10:00:00Z", "Ana", Some(true), "x", 1)),
            line(&ev("2026-01-01T10:00:00Z", "Bo", Some(true), "y", 1)),
        );
        let p = parse(text.as_bytes());
        assert!(p.conflict_markers);
        assert_eq!(p.events.len(), 2);
        assert_eq!(p.bad_lines.len(), 1);
        assert_eq!(p.bad_lines[0].0, 7);
        assert_eq!(fold(&p.events).len(), 2);
        assert_eq!(p.version, LOG_VERSION);
    }

    #[test]
    fn a_diff_round_trips_through_lines() {
        let before = fold(&[ev("2026-01-01T10:00:00Z", "Ana", Some(true), "x", 1)]);
        let after = fold(&[ev("2026-01-01T10:00:05Z", "", Some(true), "y", 1)]);
        let events = diff(&before, &after, "Bo", "2026-01-01T10:00:05Z", 2, true);
        assert_eq!(events.len(), 2);
        let text = render("m", &BTreeMap::new(), &events);
        let back = parse(text.as_bytes());
        assert_eq!(back.events, events);
        assert!(is_log(text.as_bytes()));
        assert!(!is_log(b"{\n  \"ticks\": {}\n}\n"));
        let mut all = vec![ev("2026-01-01T10:00:00Z", "Ana", Some(true), "x", 1)];
        all.extend(back.events);
        let folded = fold(&all);
        assert_eq!(folded.keys().collect::<Vec<_>>(), ["y"]);
        assert_eq!(fold(&all).get("y").map(|t| t.by.as_str()), Some("Bo"));
    }
}

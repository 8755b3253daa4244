//! The state file's text: pretty JSON with sorted keys, except that each tick record is
//! written compactly on one line. A tick is then one line of a diff, and two people's
//! ticks in a shared `.devguide/state.json` merge in git without conflicts.
//!
//! Since version 2 the state file is an index (pretty, sorted) and each migration has a
//! file of its own; since version 3 that file is a log of one event per line (see `log`),
//! whose lines are rendered here too. Reading is plain `serde_json`; only writing needs
//! this.

use serde_json::{Map, Value};

use super::state::State;
use super::upgrade::Files;

/// The state file of version 2: per set the active migration and an index entry per
/// migration (`created`, `file`, unknown fields); no ticks.
pub fn render_index(state: &State, files: &Files) -> String {
    let mut sets = Map::new();
    for (set, s) in &state.sets {
        let mut migrations = Map::new();
        for (name, m) in &s.migrations {
            let mut entry: Map<String, Value> = m
                .extra
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            entry.insert("created".into(), Value::from(m.created.as_str()));
            if let Some(file) = files.get(&(set.clone(), name.clone())) {
                entry.insert("file".into(), Value::from(file.as_str()));
            }
            migrations.insert(name.clone(), Value::Object(entry));
        }
        let mut fields: Map<String, Value> = s
            .extra
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(active) = &s.active {
            fields.insert("active".into(), Value::from(active.as_str()));
        }
        fields.insert("migrations".into(), Value::Object(migrations));
        sets.insert(set.clone(), Value::Object(fields));
    }
    let mut root: Map<String, Value> = state
        .extra
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    root.insert("sets".into(), Value::Object(sets));
    root.insert("version".into(), Value::from(state.version));
    render(&Value::Object(root))
}

/// Renders the state document. `value` is the serialised [`super::state::State`].
pub fn render(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value, 0, &[]);
    out.push('\n');
    out
}

/// The path of object keys from the root; a tick is `ticks.*` in a migration's file
/// (and was `sets.*.migrations.*.ticks.*` in a version 1 state file).
fn is_tick(path: &[&str]) -> bool {
    matches!(
        path,
        ["ticks", _] | ["sets", _, "migrations", _, "ticks", _]
    )
}

fn write(out: &mut String, value: &Value, indent: usize, path: &[&str]) {
    match value {
        Value::Object(map) if !map.is_empty() && !is_tick(path) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("{\n");
            for (i, key) in keys.iter().enumerate() {
                push_indent(out, indent + 1);
                out.push_str(&string(key));
                out.push_str(": ");
                let mut child = path.to_vec();
                child.push(key.as_str());
                write(out, &map[key.as_str()], indent + 1, &child);
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() && !is_tick(path) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                push_indent(out, indent + 1);
                write(out, item, indent + 1, path);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push(']');
        }
        other => compact(out, other),
    }
}

/// `value` on one line, keys sorted (a migration log's line).
pub fn compact_line(value: &Value) -> String {
    let mut out = String::new();
    compact(&mut out, value);
    out
}

/// One line, sorted keys, a space after `:` and `,` for readability.
fn compact(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&string(key));
                out.push_str(": ");
                compact(out, &map[key.as_str()]);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                compact(out, item);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ticks_are_one_line_each_and_keys_sorted() {
        let v = json!({
            "version": 1,
            "sets": {"bundled": {"migrations": {"m": {"ticks": {
                "g#s#b": {"text": "B\nline", "done": true, "at": "2024-01-01T00:00:00Z", "z": [1, {"q": 2}]},
                "g#s#a": {"done": false, "at": "2024-01-02T00:00:00Z", "text": "A"}
            }, "created": "x"}}}},
            "another": {}
        });
        let text = render(&v);
        let expected = r#"{
  "another": {},
  "sets": {
    "bundled": {
      "migrations": {
        "m": {
          "created": "x",
          "ticks": {
            "g#s#a": {"at": "2024-01-02T00:00:00Z", "done": false, "text": "A"},
            "g#s#b": {"at": "2024-01-01T00:00:00Z", "done": true, "text": "B\nline", "z": [1, {"q": 2}]}
          }
        }
      }
    }
  },
  "version": 1
}
"#;
        assert_eq!(text, expected);
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back, v);
    }

    #[test]
    fn the_index_has_no_ticks() {
        let doc = json!({
            "version": 2,
            "zz": "last",
            "sets": {"one": {"active": "m", "colour": "blue", "migrations": {
                "m": {"created": "c", "updated": "u", "owner": "ana", "ticks": {
                    "g#s#b": {"done": true, "at": "t2", "text": "B"},
                    "g#s#a": {"done": true, "at": "t", "text": "A", "note": [1]}
                }}
            }}}
        });
        let state: State = serde_json::from_value(doc).expect("state");
        let mut files = Files::new();
        files.insert(("one".into(), "m".into()), "0a/m.json".into());
        let index = render_index(&state, &files);
        assert_eq!(
            index,
            r#"{
  "sets": {
    "one": {
      "active": "m",
      "colour": "blue",
      "migrations": {
        "m": {
          "created": "c",
          "file": "0a/m.json",
          "owner": "ana"
        }
      }
    }
  },
  "version": 2,
  "zz": "last"
}
"#
        );
    }
}

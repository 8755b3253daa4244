//! The state file's text: pretty JSON with sorted keys, except that each tick record is
//! written compactly on one line. A tick is then one line of a diff, and two people's
//! ticks in a shared `.devguide/state.json` merge in git without conflicts.
//!
//! The same holds for version 2, where the ticks moved into one file per migration: the
//! state file is an index (pretty, sorted) and each migration file lists its ticks one
//! per line. Reading is plain `serde_json`; only writing needs this.

use serde_json::{Map, Value};

use super::state::{Migration, State};
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

/// A migration's own file: its name (for a person reading it), `updated`, and the ticks,
/// one per line.
pub fn render_migration(name: &str, m: &Migration) -> serde_json::Result<String> {
    let mut root: Map<String, Value> = m
        .file_extra
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    root.insert("migration".into(), Value::from(name));
    root.insert("ticks".into(), serde_json::to_value(&m.ticks)?);
    root.insert("updated".into(), Value::from(m.updated.as_str()));
    Ok(render(&Value::Object(root)))
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
    fn a_migration_file_has_one_tick_per_line_and_the_index_no_ticks() {
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
        let mut state: State = serde_json::from_value(doc).expect("state");
        let m = state
            .sets
            .get_mut("one")
            .and_then(|s| s.migrations.get_mut("m"))
            .expect("m");
        m.file_extra.insert("later".into(), json!(true));
        let text = render_migration("m", m).expect("render");
        assert_eq!(
            text,
            r#"{
  "later": true,
  "migration": "m",
  "ticks": {
    "g#s#a": {"at": "t", "done": true, "note": [1], "text": "A"},
    "g#s#b": {"at": "t2", "done": true, "text": "B"}
  },
  "updated": "u"
}
"#
        );
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

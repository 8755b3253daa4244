//! The state file's text: pretty JSON with sorted keys, except that each tick record is
//! written compactly on one line. A tick is then one line of a diff, and two people's
//! ticks in a shared `.devguide/state.json` merge in git without conflicts.
//!
//! Reading is plain `serde_json`; only writing needs this.

use std::collections::BTreeMap;

use serde_json::Value;

use super::state::{Migration, State};

/// Each migration's rendered text, keyed by (set, migration name), with the migration it
/// was rendered from. A toggle changes one migration; with 1,000 in the file, rendering
/// only that one instead of the whole document is what keeps a save fast.
#[derive(Debug, Default)]
pub struct RenderCache {
    migrations: BTreeMap<(String, String), (Migration, String)>,
}

/// Renders `state` exactly as [`render`] renders its serialised form, reusing the text
/// of every migration that equals the one it was last rendered from (equal ticks that
/// share their `Arc` compare without looking at the records).
pub fn render_state(state: &State, cache: &mut RenderCache) -> serde_json::Result<String> {
    let mut old = std::mem::take(&mut cache.migrations);
    let mut out =
        String::with_capacity(old.values().map(|(_, t)| t.len() + 64).sum::<usize>() + 1024);
    let version = Value::from(state.version);
    let mut fields: Vec<(&str, Option<&Value>)> = vec![("sets", None), ("version", Some(&version))];
    fields.extend(state.extra.iter().map(|(k, v)| (k.as_str(), Some(v))));
    fields.sort_by_key(|(k, _)| *k);
    out.push_str("{\n");
    for (i, (key, value)) in fields.iter().enumerate() {
        push_indent(&mut out, 1);
        out.push_str(&string(key));
        out.push_str(": ");
        match value {
            Some(v) => write(&mut out, v, 1, &[*key]),
            None if state.sets.is_empty() => out.push_str("{}"),
            None => {
                out.push_str("{\n");
                for (j, (set, set_state)) in state.sets.iter().enumerate() {
                    push_indent(&mut out, 2);
                    out.push_str(&string(set));
                    out.push_str(": {\n");
                    let active = set_state.active.as_ref().map(|a| Value::String(a.clone()));
                    let mut set_fields: Vec<(&str, Option<&Value>)> = vec![("migrations", None)];
                    if let Some(a) = &active {
                        set_fields.push(("active", Some(a)));
                    }
                    set_fields.extend(set_state.extra.iter().map(|(k, v)| (k.as_str(), Some(v))));
                    set_fields.sort_by_key(|(k, _)| *k);
                    for (k, (field, value)) in set_fields.iter().enumerate() {
                        push_indent(&mut out, 3);
                        out.push_str(&string(field));
                        out.push_str(": ");
                        match value {
                            Some(v) => write(&mut out, v, 3, &["sets", set.as_str(), *field]),
                            None if set_state.migrations.is_empty() => out.push_str("{}"),
                            None => {
                                out.push_str("{\n");
                                for (n, (name, m)) in set_state.migrations.iter().enumerate() {
                                    push_indent(&mut out, 4);
                                    out.push_str(&string(name));
                                    out.push_str(": ");
                                    let key = (set.clone(), name.clone());
                                    let text = match old.remove(&key) {
                                        Some((cached, text)) if cached == *m => text,
                                        _ => {
                                            let mut text = String::new();
                                            let path =
                                                ["sets", set.as_str(), "migrations", name.as_str()];
                                            write(&mut text, &serde_json::to_value(m)?, 4, &path);
                                            text
                                        }
                                    };
                                    out.push_str(&text);
                                    cache.migrations.insert(key, (m.clone(), text));
                                    end_entry(&mut out, n, set_state.migrations.len());
                                }
                                push_indent(&mut out, 3);
                                out.push('}');
                            }
                        }
                        end_entry(&mut out, k, set_fields.len());
                    }
                    push_indent(&mut out, 2);
                    out.push('}');
                    end_entry(&mut out, j, state.sets.len());
                }
                push_indent(&mut out, 1);
                out.push('}');
            }
        }
        end_entry(&mut out, i, fields.len());
    }
    out.push_str("}\n");
    Ok(out)
}

fn end_entry(out: &mut String, i: usize, len: usize) {
    if i + 1 < len {
        out.push(',');
    }
    out.push('\n');
}

/// Renders the state document. `value` is the serialised [`super::state::State`].
pub fn render(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value, 0, &[]);
    out.push('\n');
    out
}

/// The path of object keys from the root; a tick is `sets.*.migrations.*.ticks.*`.
fn is_tick(path: &[&str]) -> bool {
    matches!(path, ["sets", _, "migrations", _, "ticks", _])
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
    fn rendering_a_state_matches_rendering_its_json_and_reuses_text() {
        let doc = json!({
            "version": 1,
            "a-top": [1, {"b": 2}],
            "zz": "last",
            "sets": {
                "empty": {"migrations": {}},
                "one": {"active": "m", "colour": "blue", "migrations": {
                    "m": {"created": "c", "updated": "u", "owner": "ana", "ticks": {
                        "g#s#a": {"done": true, "at": "t", "text": "A", "note": [1]}
                    }},
                    "n": {"created": "c", "updated": "u", "ticks": {}}
                }}
            }
        });
        let mut state: State = serde_json::from_value(doc).expect("state");
        let mut cache = RenderCache::default();
        let expected = render(&serde_json::to_value(&state).expect("value"));
        assert_eq!(render_state(&state, &mut cache).expect("render"), expected);
        assert_eq!(render_state(&state, &mut cache).expect("again"), expected);
        assert_eq!(cache.migrations.len(), 2);
        if let Some(m) = state
            .sets
            .get_mut("one")
            .and_then(|s| s.migrations.get_mut("n"))
        {
            m.updated = "later".into();
        }
        state.sets.remove("empty");
        let expected = render(&serde_json::to_value(&state).expect("value"));
        assert_eq!(render_state(&state, &mut cache).expect("changed"), expected);
        assert!(expected.contains("\"updated\": \"later\""));
        let empty = State::default();
        assert_eq!(
            render_state(&empty, &mut cache).expect("empty"),
            render(&serde_json::to_value(&empty).expect("value"))
        );
        assert!(
            cache.migrations.is_empty(),
            "entries of gone migrations are dropped"
        );
    }
}

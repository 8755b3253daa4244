//! The state file's text: pretty JSON with sorted keys, except that each tick record is
//! written compactly on one line. A tick is then one line of a diff, and two people's
//! ticks in a shared `.devguide/state.json` merge in git without conflicts.
//!
//! Reading is plain `serde_json`; only writing needs this.

use serde_json::Value;

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
}

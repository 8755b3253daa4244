//! Reading a state document of any version: ordered upgrades from older shapes to the
//! current one, and a clear verdict for files this build must not rewrite.

use serde_json::Value;

use super::state::{State, VERSION};

/// What a state file's bytes turned out to be.
#[derive(Debug)]
pub enum Decoded {
    /// Current, or upgraded from an older version (written as current on the next change).
    Ok { state: State },
    /// Written by a newer devguide: readable only if its shape is still compatible.
    Newer { version: u64, state: Option<State> },
    /// Not a state file we can read; the reason is for the user.
    Corrupt(String),
}

/// One step: turns a document of version `N` into version `N + 1`.
type Step = fn(Value) -> Result<Value, String>;

/// Index `i` upgrades version `i` to `i + 1`. Append a step when the format changes.
const UPGRADES: &[Step] = &[v0_to_v1];

pub fn decode(bytes: &[u8]) -> Decoded {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Decoded::Corrupt("the file is empty".into());
    }
    // Fast path: a current file parses straight into `State`. Anything else (older,
    // newer or broken) takes the general path below, which upgrades and explains.
    if let Ok(state) = serde_json::from_slice::<State>(bytes)
        && state.version == VERSION
    {
        return Decoded::Ok { state };
    }
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => return Decoded::Corrupt(format!("not valid JSON ({e})")),
    };
    let Value::Object(map) = &value else {
        return Decoded::Corrupt("not a JSON object".into());
    };
    // No version: the unversioned shape of the first development builds.
    let version = match map.get("version") {
        None => 0,
        Some(v) => match v.as_u64() {
            Some(n) => n,
            None => return Decoded::Corrupt(format!("\"version\" is {v}, not a whole number")),
        },
    };
    if version > VERSION {
        let state = serde_json::from_value::<State>(value).ok();
        return Decoded::Newer { version, state };
    }
    let mut current = value;
    for step in &UPGRADES[version as usize..] {
        current = match step(current) {
            Ok(v) => v,
            Err(e) => return Decoded::Corrupt(e),
        };
    }
    match serde_json::from_value::<State>(current) {
        Ok(state) => Decoded::Ok { state },
        Err(e) => Decoded::Corrupt(format!("not a devguide state file ({e})")),
    }
}

/// Version 0 stored a tick as just its time: `"ticks": {"<id>": "<RFC 3339>"}`.
/// Version 1 stores a record with `done`, `at` and the item's `text`.
fn v0_to_v1(mut doc: Value) -> Result<Value, String> {
    let bad = |what: &str| format!("unversioned state file with an unexpected shape ({what})");
    let Some(root) = doc.as_object_mut() else {
        return Err(bad("not an object"));
    };
    if let Some(sets) = root.get_mut("sets") {
        let sets = sets
            .as_object_mut()
            .ok_or_else(|| bad("\"sets\" is not an object"))?;
        for set in sets.values_mut() {
            let Some(migrations) = set.get_mut("migrations").and_then(Value::as_object_mut) else {
                continue;
            };
            for m in migrations.values_mut() {
                let Some(ticks) = m.get_mut("ticks").and_then(Value::as_object_mut) else {
                    continue;
                };
                for tick in ticks.values_mut() {
                    if let Value::String(at) = tick {
                        *tick = serde_json::json!({"done": true, "at": at.clone(), "text": ""});
                    }
                }
            }
        }
    }
    root.insert("version".into(), Value::from(1u64));
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unversioned_files_are_upgraded() {
        let v0 = br#"{"sets": {"bundled": {"active": "m", "migrations": {"m": {"ticks": {"g#s#a": "2024-03-01T10:00:00Z"}}}}}}"#;
        let Decoded::Ok { state } = decode(v0) else {
            panic!("should decode")
        };
        assert_eq!(state.version, VERSION);
        let tick = state.tick("bundled", "m", "g#s#a").expect("tick kept");
        assert!(tick.done);
        assert_eq!(tick.at, "2024-03-01T10:00:00Z");
        assert_eq!(state.active_migration("bundled"), Some("m"));
    }

    #[test]
    fn bad_documents_are_corrupt_and_newer_ones_are_flagged() {
        for bad in [
            &b""[..],
            b"  \n",
            b"{",
            b"[1]",
            b"{\"version\": \"one\"}",
            b"{\"version\": 1, \"sets\": 3}",
        ] {
            assert!(
                matches!(decode(bad), Decoded::Corrupt(_)),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(matches!(
            decode(br#"{"version": 7, "sets": {}}"#),
            Decoded::Newer {
                version: 7,
                state: Some(_)
            }
        ));
        assert!(matches!(
            decode(br#"{"version": 7, "sets": []}"#),
            Decoded::Newer {
                version: 7,
                state: None
            }
        ));
    }
}

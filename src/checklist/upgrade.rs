//! Reading a state document of any version: ordered upgrades from older shapes to the
//! current one, and a clear verdict for files this build must not rewrite.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::state::{FIRST_INDEX, Key, Migration, SetState, State, Ticks, VERSION};

/// Where each migration's ticks live, relative to the `<state file>.d` folder, keyed by
/// (set, migration name).
pub type Files = BTreeMap<(String, String), String>;

/// What a state file's bytes turned out to be.
#[derive(Debug)]
pub enum Decoded {
    /// A version 2 index: migrations are listed, their ticks are in their files and not
    /// loaded yet.
    Index { state: State, files: Files },
    /// A version 0 or 1 file, every tick inline (all loaded). The next change writes it
    /// as version 2: the migration files first, then the index.
    Single { state: State },
    /// Written by a newer devguide: readable only if its index is still compatible.
    Newer {
        version: u64,
        index: Option<(State, Files)>,
    },
    /// Not a state file we can read; the reason is for the user.
    Corrupt(String),
}

/// One step: turns a document of version `N` into version `N + 1`.
type Step = fn(Value) -> Result<Value, String>;

/// Index `i` upgrades version `i` to `i + 1`, up to the single-file version 1. The step
/// to version 2 moves ticks into files of their own, which is the store's work: see
/// `Store::update`.
const UPGRADES: &[Step] = &[v0_to_v1];

/// The last version that kept every tick in the state file.
const SINGLE_FILE: u64 = 1;

pub fn decode(bytes: &[u8]) -> Decoded {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Decoded::Corrupt("the file is empty".into());
    }
    // Fast path: a current index parses straight into its records. Anything else
    // (older, newer or broken) takes the general path below, which upgrades and explains.
    if let Ok(doc) = serde_json::from_slice::<IndexDoc>(bytes)
        && (FIRST_INDEX..=VERSION).contains(&doc.version)
    {
        return match doc.into_state() {
            Ok((state, files)) => Decoded::Index { state, files },
            Err(e) => Decoded::Corrupt(e),
        };
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
        let index = serde_json::from_value::<IndexDoc>(value)
            .ok()
            .and_then(|doc| doc.into_state().ok());
        return Decoded::Newer { version, index };
    }
    if version >= FIRST_INDEX {
        return match serde_json::from_value::<IndexDoc>(value) {
            Ok(doc) => match doc.into_state() {
                Ok((state, files)) => Decoded::Index { state, files },
                Err(e) => Decoded::Corrupt(e),
            },
            Err(e) => Decoded::Corrupt(format!("not a devguide state file ({e})")),
        };
    }
    let mut current = value;
    for step in &UPGRADES[version as usize..SINGLE_FILE as usize] {
        current = match step(current) {
            Ok(v) => v,
            Err(e) => return Decoded::Corrupt(e),
        };
    }
    match serde_json::from_value::<State>(current) {
        Ok(state) => Decoded::Single { state },
        Err(e) => Decoded::Corrupt(format!("not a devguide state file ({e})")),
    }
}

/// The content of a migration's file: `updated`, `ticks` and unknown fields. The
/// `migration` field names it for a person reading the file; the index is what counts.
#[derive(Debug)]
pub struct MigrationDoc {
    pub updated: String,
    pub ticks: Ticks,
    pub extra: BTreeMap<String, Value>,
}

pub fn decode_migration(bytes: &[u8]) -> Result<MigrationDoc, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("the file is empty".into());
    }
    serde_json::from_slice::<MigrationDoc>(bytes).map_err(|e| format!("not a migration file ({e})"))
}

/// Whether a `file` entry of the index is a plain relative path inside the folder:
/// the index may come from a shared repository, and must not make us write elsewhere.
pub fn safe_file(file: &str) -> bool {
    !file.is_empty()
        && file.split('/').all(|c| {
            !c.is_empty()
                && c != "."
                && c != ".."
                && !c.contains(['\\', ':', '\0'])
                && !c.chars().any(char::is_control)
        })
}

/// An index entry: when the migration was created, where its ticks are, unknown fields.
struct IndexEntry {
    created: String,
    /// Absent in an entry added by hand: the migration has no ticks yet.
    file: Option<String>,
    extra: BTreeMap<String, Value>,
}

struct IndexSet {
    active: Option<String>,
    migrations: BTreeMap<String, IndexEntry>,
    extra: BTreeMap<String, Value>,
}

struct IndexDoc {
    version: u64,
    sets: BTreeMap<String, IndexSet>,
    extra: BTreeMap<String, Value>,
}

crate::checklist::state::record_deserialize!(IndexEntry, "a migration's index entry", |map, key, extra| {
    created: String = "created",
    file: String = "file",
} => Ok(IndexEntry {
    created: created.unwrap_or_default(),
    file,
    extra,
}));

crate::checklist::state::record_deserialize!(IndexSet, "a guide set's migrations", |map, key, extra| {
    active: Option<String> = "active",
    migrations: BTreeMap<String, IndexEntry> = "migrations",
} => Ok(IndexSet {
    active: active.flatten(),
    migrations: migrations.unwrap_or_default(),
    extra,
}));

crate::checklist::state::record_deserialize!(IndexDoc, "a checklist state", |map, key, extra| {
    version: u64 = "version",
    sets: BTreeMap<String, IndexSet> = "sets",
} => Ok(IndexDoc {
    version: version.ok_or_else(|| de::Error::missing_field("version"))?,
    sets: sets.unwrap_or_default(),
    extra,
}));

crate::checklist::state::record_deserialize!(MigrationDoc, "a migration file", |map, key, extra| {
    _name: Value = "migration",
    updated: String = "updated",
    ticks: Ticks = "ticks",
} => Ok(MigrationDoc {
    updated: updated.unwrap_or_default(),
    ticks: ticks.unwrap_or_default(),
    extra,
}));

impl IndexDoc {
    fn into_state(self) -> Result<(State, Files), String> {
        let mut files = Files::new();
        let mut state = State {
            version: self.version,
            sets: BTreeMap::new(),
            extra: self.extra,
        };
        for (set, s) in self.sets {
            let mut migrations = BTreeMap::new();
            for (name, entry) in s.migrations {
                if let Some(file) = entry.file {
                    if !safe_file(&file) {
                        return Err(format!("migration {name:?} names an unsafe file {file:?}"));
                    }
                    files.insert((set.clone(), name.clone()), file);
                }
                migrations.insert(
                    name,
                    Migration {
                        created: entry.created,
                        extra: entry.extra,
                        loaded: false,
                        ..Migration::default()
                    },
                );
            }
            state.sets.insert(
                set,
                SetState {
                    active: s.active,
                    migrations,
                    extra: s.extra,
                },
            );
        }
        Ok((state, files))
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
        let Decoded::Single { state } = decode(v0) else {
            panic!("should decode")
        };
        assert_eq!(state.version, SINGLE_FILE);
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
                index: Some(_)
            }
        ));
        assert!(matches!(
            decode(br#"{"version": 7, "sets": []}"#),
            Decoded::Newer {
                version: 7,
                index: None
            }
        ));
    }

    #[test]
    fn an_index_lists_migrations_unloaded_with_their_files() {
        let doc = br#"{"version": 2, "top": 1, "sets": {"s": {"active": "m", "colour": "blue",
            "migrations": {"m": {"created": "c", "file": "ab12cd34/m.json", "owner": "ana"}}}}}"#;
        let Decoded::Index { state, files } = decode(doc) else {
            panic!("should decode")
        };
        let m = state.migration("s", "m").expect("listed");
        assert!(!m.is_loaded());
        assert_eq!(m.extra.get("owner"), Some(&Value::from("ana")));
        assert_eq!(state.extra.get("top"), Some(&Value::from(1)));
        assert_eq!(
            files
                .get(&("s".to_string(), "m".to_string()))
                .map(String::as_str),
            Some("ab12cd34/m.json")
        );
    }

    #[test]
    fn an_index_pointing_outside_its_folder_is_corrupt() {
        for file in [
            "../../.bashrc",
            "/etc/passwd",
            "a//b.json",
            "a/./b",
            "",
            "a\\..\\b",
        ] {
            let doc = format!(
                r#"{{"version": 2, "sets": {{"s": {{"migrations": {{"m": {{"file": {}}}}}}}}}}}"#,
                serde_json::Value::from(file)
            );
            assert!(
                matches!(decode(doc.as_bytes()), Decoded::Corrupt(_)),
                "{file:?}"
            );
        }
        assert!(safe_file("0a1b2c3d/tests%2Funit.json"));
    }

    #[test]
    fn migration_files_keep_unknown_fields() {
        let doc = decode_migration(
            br#"{"migration": "m", "note": 1, "ticks": {"a": {"at": "t", "done": true}}, "updated": "u"}"#,
        )
        .expect("decodes");
        assert_eq!(doc.updated, "u");
        assert_eq!(doc.ticks.len(), 1);
        assert_eq!(doc.extra.keys().collect::<Vec<_>>(), ["note"]);
        assert!(decode_migration(b"").is_err());
        assert!(decode_migration(b"{\"ticks\": 3}").is_err());
    }
}

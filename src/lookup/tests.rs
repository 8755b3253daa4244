use super::*;

const CORE: &str = "netra_backend.app.websocket_core";

fn bundled() -> Catalog {
    Catalog::build(&GuideSet::bundled())
}

fn fixture() -> Catalog {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lookup");
    Catalog::build(&GuideSet::from_dir(&dir).expect("fixture set loads"))
}

fn lines(forms: &[Form]) -> Vec<&str> {
    forms.iter().map(|f| f.import_line.as_str()).collect()
}

#[test]
fn websocket_manager_canonical_first_then_deprecated_with_warning() {
    let a = bundled().lookup("WebSocketManager");
    assert_eq!(
        lines(&a.canonical),
        [format!(
            "from {CORE}.websocket_manager import WebSocketManager"
        )]
    );
    let c = &a.canonical[0];
    assert_eq!(c.location(), "import-guide#preferred-pattern-canonical");
    assert_eq!(c.basis, Some(Basis::Marker));
    assert_eq!(c.reason.as_deref(), Some("Preferred for all new code"));
    assert_eq!(
        lines(&a.deprecated),
        [format!("from {CORE} import WebSocketManager")]
    );
    let d = &a.deprecated[0];
    assert_eq!(d.location(), "import-guide#deprecated-patterns");
    assert!(
        d.reason
            .as_deref()
            .is_some_and(|r| r.contains("deprecation warning")),
        "{d:?}"
    );
    assert!(
        d.notes[0].starts_with("WARNING: \"Use canonical path"),
        "{d:?}"
    );
    assert!(a.problematic.is_empty() && a.unclassified.is_empty());
    // The file line of the canonical import (front matter included).
    assert_eq!(c.line, 27);
}

#[test]
fn get_websocket_manager_canonical_and_legacy_factory() {
    let a = bundled().lookup("get_websocket_manager");
    assert_eq!(
        lines(&a.canonical),
        [format!(
            "from {CORE}.websocket_manager import get_websocket_manager"
        )]
    );
    assert_eq!(
        lines(&a.deprecated),
        [format!("from {CORE} import get_websocket_manager")]
    );
    assert_eq!(
        a.deprecated[0].reason.as_deref(),
        Some("Legacy factory pattern")
    );
    assert_eq!(a.deprecated[0].location(), "import-guide#application-code");
}

#[test]
fn unified_manager_is_problematic_and_its_alias_is_canonical() {
    let a = bundled().lookup("UnifiedWebSocketManager");
    assert_eq!(
        lines(&a.problematic),
        [format!(
            "from {CORE}.unified_manager import UnifiedWebSocketManager"
        )]
    );
    assert_eq!(
        a.problematic[0].reason.as_deref(),
        Some("Uses internal unified_manager path")
    );
    // The backward-compatibility list, split out to one line; its section's lead-in says
    // "import them all from the canonical module".
    assert_eq!(
        lines(&a.canonical),
        [format!(
            "from {CORE}.websocket_manager import UnifiedWebSocketManager"
        )]
    );
    let c = &a.canonical[0];
    assert_eq!(c.basis, Some(Basis::Paragraph));
    assert_eq!(c.reason.as_deref(), Some("Alias for WebSocketManager"));
    assert_eq!(c.location(), "import-guide#backward-compatibility");
}

#[test]
fn every_quick_reference_symbol_has_a_canonical_import() {
    let cat = bundled();
    for (symbol, module) in [
        ("WebSocketManager", "websocket_manager"),
        ("WebSocketConnection", "websocket_manager"),
        ("_serialize_message_safely", "websocket_manager"),
        ("WebSocketManagerMode", "websocket_manager"),
        ("WebSocketManagerProtocol", "protocols"),
    ] {
        let a = cat.lookup(symbol);
        assert_eq!(
            a.canonical.first().map(|f| f.import_line.clone()),
            Some(format!("from {CORE}.{module} import {symbol}")),
            "{symbol}: {a:?}"
        );
        assert!(a.unclassified.is_empty(), "{symbol}: {a:?}");
    }
}

#[test]
fn factory_import_is_problematic() {
    let a = bundled().lookup("WebSocketManagerFactory");
    assert_eq!(a.problematic.len(), 1);
    assert!(a.canonical.is_empty());
}

#[test]
fn unknown_symbols_get_near_matches() {
    let cat = bundled();
    let a = cat.lookup("WebsocketManager");
    assert!(a.is_empty());
    assert_eq!(
        cat.near("WebsocketManager", 3).first().map(String::as_str),
        Some("WebSocketManager")
    );
    assert!(
        cat.near("Protocol", 5)
            .contains(&"WebSocketManagerProtocol".to_string())
    );
    assert!(cat.near("Zebra", 5).is_empty());
}

#[test]
fn fixture_markers_classify_until_the_next_marker() {
    let cat = fixture();
    let a = cat.lookup("Client");
    assert_eq!(
        lines(&a.canonical),
        ["from acme.storage.client import Client"]
    );
    assert_eq!(
        a.canonical[0].reason.as_deref(),
        Some("One module per concern")
    );
    assert_eq!(lines(&a.deprecated), ["from acme.storage import Client"]);
    let d = &a.deprecated[0];
    assert_eq!(d.reason.as_deref(), Some("Emits a warning on every import"));
    assert!(
        d.notes.iter().any(|n| n.contains("removed in 3.0")),
        "{d:?}"
    );
    assert_eq!(
        lines(&a.problematic),
        ["from acme.storage._internal import Client"]
    );
    assert!(a.problematic.iter().all(|f| f.basis == Some(Basis::Marker)));
    // Other languages: returned as written, unclassified, despite the marker.
    assert_eq!(lines(&a.unclassified), ["use acme_storage::Client;"]);
    assert_eq!(cat.lookup("retry").problematic.len(), 1);
}

#[test]
fn fixture_multi_line_import_splits_per_name_with_alias_and_comment() {
    let cat = fixture();
    let a = cat.lookup("StorageBucket");
    assert_eq!(
        lines(&a.canonical),
        ["from acme.storage.client import Bucket as StorageBucket"]
    );
    assert_eq!(a.canonical[0].reason.as_deref(), Some("Renamed in 2.1"));
    assert_eq!(cat.lookup("Bucket").canonical.len(), 1);
    let open = cat.lookup("open_client");
    assert_eq!(
        lines(&open.canonical),
        ["from acme.storage.client import open_client"]
    );
    // Line of `open_client,` in 01-markers.md.
    assert_eq!(open.canonical[0].line, 25);
}

#[test]
fn fixture_headings_and_paragraphs_classify_without_markers() {
    let cat = fixture();
    let a = cat.lookup("Queue");
    assert_eq!(lines(&a.canonical), ["from acme.queue.core import Queue"]);
    assert_eq!(a.canonical[0].basis, Some(Basis::Heading));
    // Classified by an enclosing heading two levels up.
    assert_eq!(lines(&a.deprecated), ["from acme.queue import Queue"]);
    assert_eq!(a.deprecated[0].location(), "headings#details");
    assert_eq!(
        a.deprecated[0].notes,
        ["Removed in the next major version."]
    );
    assert_eq!(
        lines(&a.problematic),
        ["from acme.queue.debug import Queue"]
    );
    assert_eq!(a.problematic[0].reason.as_deref(), Some("Test double only"));
    let p = cat.lookup("QueueProtocol");
    assert_eq!(p.canonical[0].basis, Some(Basis::Paragraph));
    let h = cat.lookup("Helper");
    assert_eq!(
        lines(&h.unclassified),
        ["from acme.queue.extra import Helper"]
    );
}

#[test]
fn levenshtein_counts_edits() {
    assert_eq!(levenshtein("kitten", "sitting"), 3);
    assert_eq!(levenshtein("", "ab"), 2);
    assert_eq!(levenshtein("same", "same"), 0);
}

use super::*;
use crate::content::GuideSet;

fn bundled() -> Rules {
    Rules::from_guides(&GuideSet::bundled())
}

const CORE: &str = "netra_backend.app.websocket_core";

#[test]
fn bundled_guides_state_the_rules() {
    let rules = bundled();
    let targets: Vec<(String, Class)> = rules
        .rules()
        .iter()
        .map(|r| (r.target(), r.class))
        .collect();
    assert!(targets.contains(&(format!("{CORE}.WebSocketManager"), Class::Deprecated)));
    assert!(targets.contains(&(format!("{CORE}.get_websocket_manager"), Class::Deprecated)));
    assert!(targets.contains(&(
        format!("{CORE}.unified_manager.UnifiedWebSocketManager"),
        Class::Problematic
    )));
    let wsm = rules
        .rules()
        .iter()
        .find(|r| r.name.as_deref() == Some("get_websocket_manager"))
        .expect("rule");
    assert_eq!(
        wsm.replacement.as_ref().map(|r| r.module.as_str()),
        Some("netra_backend.app.websocket_core.websocket_manager")
    );
    assert!(
        wsm.advice
            .iter()
            .any(|a| a.contains("WebSocketManager(user_context=")),
        "{:?}",
        wsm.advice
    );
    // The canonical module is never a rule, and the package root is not retired whole.
    assert_eq!(
        rules.match_path("netra_backend.app.websocket_core.websocket_manager.WebSocketManager"),
        None
    );
    assert_eq!(rules.match_module(CORE), None);
    assert!(
        rules
            .match_module(&format!("{CORE}.unified_manager"))
            .is_some()
    );
}

#[test]
fn finds_forms_and_explains_them() {
    let rules = bundled();
    let src = format!(
        "from {CORE} import WebSocketManager\nfrom {CORE} import (\n    get_websocket_manager as g,\n)\n# from {CORE} import WebSocketManager\nimport {CORE}.unified_manager as um\n@patch(\"{CORE}.WebSocketManager\")\ndef t(): pass\n"
    );
    let found = scan_source(Path::new("x.py"), &src, &rules);
    let summary: Vec<(u32, u32, Form, Class)> = found
        .iter()
        .map(|f| (f.line, f.column, f.form, f.class))
        .collect();
    assert_eq!(
        summary,
        [
            (1, 46, Form::From, Class::Deprecated),
            (3, 5, Form::From, Class::Deprecated),
            (6, 8, Form::Import, Class::Problematic),
            (7, 8, Form::StringTarget, Class::Deprecated),
        ]
    );
    assert_eq!(found[0].rule_id, "import-guide#deprecated-patterns");
    assert!(found[0].fixable && found[1].fixable && !found[2].fixable && !found[3].fixable);
    assert_eq!(
        found[1].text,
        format!("from {CORE} import (get_websocket_manager as g,)")
    );
}

#[test]
fn relative_imports_resolve_from_the_folders() {
    let rules = bundled();
    let src = "from ..websocket_core import WebSocketManager\nfrom .unified_manager import X\n";
    let found = scan_source(Path::new("/r/netra_backend/app/services/x.py"), src, &rules);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].module, CORE);
    let found = scan_source(
        Path::new("/r/netra_backend/app/websocket_core/x.py"),
        src,
        &rules,
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[1].module, format!("{CORE}.unified_manager"));
    // A name the canonical module does not provide has no replacement.
    assert_eq!(found[1].replacement, None);
    // Elsewhere, the same relative import is someone else's module.
    assert!(scan_source(Path::new("/r/other/app/services/x.py"), src, &rules).is_empty());
}

#[test]
fn fixes_rewrite_only_the_module_and_are_idempotent() {
    let rules = bundled();
    let src = format!(
        "from {CORE} import (\r\n    WebSocketManager,  # keep\r\n    get_websocket_manager as g,\r\n)\r\nfrom {CORE}.websocket_manager_factory import WebSocketManagerFactory\r\n"
    );
    let (fixed, edits) = fix_source(Path::new("x.py"), &src, &rules).expect("fixable");
    assert_eq!(edits.len(), 1);
    assert_eq!(
        fixed,
        src.replacen(CORE, &format!("{CORE}.websocket_manager"), 1)
    );
    assert!(fix_source(Path::new("x.py"), &fixed, &rules).is_none());
    let left = scan_source(Path::new("x.py"), &fixed, &rules);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].name.as_deref(), Some("WebSocketManagerFactory"));
}

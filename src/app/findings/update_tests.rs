//! The findings overlay and self-verifying items driven through `App::update`, as the
//! run loop would: keys in, effects out, scan results back as messages.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

use super::*;
use crate::app::checklist::Checklists;
use crate::app::{Msg, Overlay};
use crate::checklist::{Store, ops};
use crate::content::GuideSet;
use crate::keymap::Keymap;
use crate::scan::{Rules, ScanOptions, scan_paths};
use crate::theme::{ColorMode, Theme};

/// The migration checklist: its first item verifies itself.
const CHECKLIST: usize = 2;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/code")
}

fn app(code: Option<PathBuf>) -> App {
    let mut app = App::new(
        GuideSet::bundled(),
        Theme::for_mode(ColorMode::None),
        Keymap::default(),
    );
    app.set_code_base(code.map(|root| CodeBase {
        root,
        from: CodeFrom::Flag,
    }));
    app.update(Msg::Resize(Rect::new(0, 0, 100, 30)));
    app
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn enter() -> KeyEvent {
    KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)
}

/// The fixture code base scanned for real, as the run loop's job does.
fn scanned(root: &std::path::Path) -> Scanned {
    let rules = Rules::from_guides(&GuideSet::bundled());
    Scanned {
        report: scan_paths(&[root.to_path_buf()], &rules, &ScanOptions::default()),
        clock: "14:02".into(),
        at: "2026-12-01T14:02:00Z".into(),
    }
}

fn scans(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Scan { .. }))
        .count()
}

/// Opens the checklist guide and lets its first scan come back.
fn checklist_scanned(app: &mut App) {
    app.open(CHECKLIST, None);
    let fx = app.update(Msg::Idle);
    assert_eq!(
        scans(&fx),
        1,
        "opening a guide with a self-verifying item scans"
    );
    app.update(Msg::Scanned(Box::new(Ok(scanned(&fixture())))));
}

#[test]
fn without_a_code_base_the_overlay_and_the_item_say_so_calmly() {
    let mut app = app(None);
    app.open(CHECKLIST, None);
    let fx = app.update(Msg::Idle);
    assert_eq!(scans(&fx), 0);
    let fx = app.update(key('F'));
    assert!(matches!(app.overlay, Some(Overlay::Findings(_))));
    assert_eq!(scans(&fx), 0);
    let status = app.status.clone().expect("a status line");
    assert!(!status.error, "not an error: {}", status.text);
    assert!(status.text.contains("--code PATH"), "{}", status.text);
    assert_eq!(app.code.state_text(), NO_CODE_BASE);
    // `r` has nothing to scan either.
    let fx = app.update(key('r'));
    assert_eq!(scans(&fx), 0);
}

#[test]
fn a_guide_with_a_self_verifying_item_scans_once_and_shows_the_live_state() {
    let mut app = app(Some(fixture()));
    // The first guide has no such item: no scan yet.
    let fx = app.update(Msg::Idle);
    assert_eq!(scans(&fx), 0);
    app.open(CHECKLIST, None);
    let fx = app.update(Msg::Idle);
    assert_eq!(scans(&fx), 1);
    assert_eq!(app.code.state_text(), "scanning\u{2026}");
    let fx = app.update(Msg::Idle);
    assert_eq!(scans(&fx), 0, "asked for once");
    app.update(Msg::Scanned(Box::new(Ok(scanned(&fixture())))));
    assert_eq!(
        app.code.state_text(),
        "7 deprecated and 4 problematic imports left in 5 files"
    );
    assert_eq!(app.code.short_state_text(), "11 imports left");
    // Selecting the item says its state in full.
    app.update(key('t'));
    let status = app.status.clone().expect("status");
    assert!(
        status.text.contains("imports left in 5 files"),
        "{}",
        status.text
    );
}

#[test]
fn a_clean_code_base_is_verified_at_the_local_time_of_the_scan() {
    let clean = tempfile::tempdir().expect("tempdir");
    std::fs::write(clean.path().join("ok.py"), "import os\n").expect("write");
    let mut app = app(Some(clean.path().to_path_buf()));
    app.open(CHECKLIST, None);
    app.update(Msg::Idle);
    app.update(Msg::Scanned(Box::new(Ok(scanned(clean.path())))));
    assert_eq!(app.code.state_text(), "verified clean at 14:02");
    assert_eq!(app.code.clean(), Some(true));
}

#[test]
fn a_failed_scan_says_why_and_can_be_asked_for_again() {
    let mut app = app(Some(fixture()));
    let fx = app.update(key('F'));
    assert_eq!(scans(&fx), 1, "the overlay asks for the first scan");
    app.update(Msg::Failed {
        what: "scan".into(),
        error: "the background job stopped".into(),
    });
    assert!(!app.code.running);
    assert_eq!(
        app.code.state_text(),
        "scan failed: the background job stopped"
    );
    let fx = app.update(key('r'));
    assert_eq!(scans(&fx), 1);
    app.update(Msg::Scanned(Box::new(Err("/gone: No such file".into()))));
    assert_eq!(app.code.state_text(), "scan failed: /gone: No such file");
}

#[test]
fn the_overlay_moves_edits_copies_rescans_and_opens_the_rule() {
    let mut app = app(Some(fixture()));
    checklist_scanned(&mut app);
    let fx = app.update(key('F'));
    assert_eq!(scans(&fx), 0, "a scan is already there");
    let findings = app.findings().to_vec();
    assert_eq!(findings.len(), 11);
    // j / k / G / g move through the findings, stopping at the ends.
    app.update(key('j'));
    app.update(key('j'));
    assert_eq!(app.overlay, Some(Overlay::Findings(Panel { selected: 2 })));
    app.update(key('G'));
    assert_eq!(app.overlay, Some(Overlay::Findings(Panel { selected: 10 })));
    app.update(key('j'));
    assert_eq!(app.overlay, Some(Overlay::Findings(Panel { selected: 10 })));
    app.update(key('g'));
    app.update(key('j'));
    // Enter: the editor at the selected finding's line, the overlay still open.
    let fx = app.update(enter());
    match fx.as_slice() {
        [Effect::Edit { path, line }] => {
            assert_eq!(path, &findings[1].path);
            assert_eq!(*line, findings[1].line as usize);
        }
        other => panic!("expected one edit, got {other:?}"),
    }
    assert!(matches!(app.overlay, Some(Overlay::Findings(_))));
    // Back from the editor: scanned again, since the file may have changed.
    let fx = app.update(Msg::Edited(Ok(())));
    assert_eq!(scans(&fx), 1);
    let fx = app.update(key('r'));
    assert_eq!(scans(&fx), 0, "one scan out at a time");
    app.update(Msg::Scanned(Box::new(Ok(scanned(&fixture())))));
    // y copies the replacement import.
    let fx = app.update(key('y'));
    match fx.as_slice() {
        [Effect::Copy { text, .. }] => assert_eq!(
            Some(text),
            findings[1].replacement.as_ref().map(|r| &r.import_line)
        ),
        other => panic!("expected a copy, got {other:?}"),
    }
    // s reads the section that states the rule; the overlay closes and b comes back.
    app.update(key('s'));
    assert_eq!(app.overlay, None);
    let (guide, anchor) = findings[1].rule_id.split_once('#').expect("guide#anchor");
    assert_eq!(app.set.guides[app.reader.guide].id, guide);
    let h = app.current_heading().expect("at a heading");
    assert_eq!(app.reader.doc.headings[h].anchor, anchor);
    app.update(key('b'));
    assert_eq!(app.reader.guide, CHECKLIST);
    // F opens it again and closes it, as the key that opens help closes help.
    app.update(key('F'));
    assert!(matches!(app.overlay, Some(Overlay::Findings(_))));
    app.update(key('F'));
    assert_eq!(app.overlay, None);
}

/// A checklist backed by a real state file in `dir`, with migration `m` active.
fn with_checklists(app: &mut App, dir: &std::path::Path) -> Store {
    let opened = Store::open(dir.join("state.json"));
    let mut store = opened.store;
    let set_key = app.set.identity();
    ops::apply(
        &mut store,
        &set_key,
        &[ops::Op::Create { name: "m".into() }],
        std::time::SystemTime::now(),
    )
    .expect("migration");
    let state = Store::open(dir.join("state.json")).state;
    let view = Checklists::new(set_key, state, Some("m".into()), None, "main".into());
    app.attach_checklists(view, Vec::new());
    store
}

/// Runs the save effects as the run loop does; returns the effects that follow.
fn save(app: &mut App, store: &mut Store, effects: Vec<Effect>) -> Vec<Effect> {
    let mut after = Vec::new();
    for e in effects {
        if let Effect::Save { ops: batch, .. } = e {
            let set_key = app.checklists.set_key.clone();
            let r = ops::apply(store, &set_key, &batch, std::time::SystemTime::now());
            after.extend(app.update(Msg::Saved(r.map_err(|e| e.to_string()))));
        }
    }
    after
}

#[test]
fn ticking_a_self_verifying_item_records_the_scan_and_says_findings_remain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app(Some(fixture()));
    let mut store = with_checklists(&mut app, dir.path());
    checklist_scanned(&mut app);
    app.update(key('t'));
    let fx = app.update(key('x'));
    let after = save(&mut app, &mut store, fx);
    assert!(app.task_done(0));
    match after.as_slice() {
        [
            Effect::RecordScan {
                migration, record, ..
            },
        ] => {
            assert_eq!(migration, "m");
            assert_eq!(
                (
                    record.findings,
                    record.deprecated,
                    record.problematic,
                    record.files
                ),
                (11, 7, 4, 5)
            );
            assert_eq!(record.at, "2026-12-01T14:02:00Z");
            assert_eq!(record.per_rule.values().sum::<usize>(), 11);
        }
        other => panic!("expected the scan to be recorded, got {other:?}"),
    }
    let status = app.status.clone().expect("status");
    assert!(
        status.text.starts_with("ticked with 11 findings left"),
        "{}",
        status.text
    );
    // Unticking records nothing.
    let fx = app.update(key('x'));
    let after = save(&mut app, &mut store, fx);
    assert!(!app.task_done(0));
    assert!(after.is_empty(), "{after:?}");
    // Another item is an ordinary tick.
    app.update(key('t'));
    let fx = app.update(key('x'));
    let after = save(&mut app, &mut store, fx);
    assert!(after.is_empty(), "{after:?}");
}

#[test]
fn ticking_before_any_scan_says_nothing_was_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app(None);
    let mut store = with_checklists(&mut app, dir.path());
    app.open(CHECKLIST, None);
    app.update(key('t'));
    let fx = app.update(key('x'));
    let after = save(&mut app, &mut store, fx);
    assert!(after.is_empty());
    let status = app.status.clone().expect("status");
    assert_eq!(
        status.text,
        "ticked; no scan result recorded (no code base known)"
    );
}

#[test]
fn recorded_scans_feed_the_migrations_trend() {
    let mut app = app(None);
    let mut history = BTreeMap::new();
    history.insert(
        "m".to_string(),
        vec![Record {
            at: "2026-12-01T10:00:00Z".into(),
            findings: 2,
            deprecated: 2,
            problematic: 0,
            files: 1,
            per_rule: BTreeMap::new(),
        }],
    );
    app.update(Msg::ScanHistory(history));
    let now = humantime::parse_rfc3339("2026-12-01T10:30:00Z").expect("time");
    assert_eq!(
        app.code
            .history
            .get("m")
            .and_then(|r| trend(r, now))
            .as_deref(),
        Some("2 deprecated imports left (scanned 30 minutes ago)")
    );
}

#[test]
fn a_changed_guide_scans_the_code_base_again() {
    let mut app = app(Some(fixture()));
    // Before any scan, a change asks for none.
    app.guide_changed(0);
    assert_eq!(scans(&app.update(Msg::Idle)), 0);
    checklist_scanned(&mut app);
    assert_eq!(scans(&app.update(Msg::Idle)), 0);
    app.guide_changed(0);
    assert_eq!(
        scans(&app.update(Msg::Idle)),
        1,
        "the rules may have changed"
    );
    assert_eq!(scans(&app.update(Msg::Idle)), 0, "once");
}

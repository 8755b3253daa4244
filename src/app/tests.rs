use super::*;
use crate::theme::ColorMode;

fn app_at(width: u16, height: u16) -> App {
    let mut app = App::new(
        GuideSet::bundled(),
        Theme::for_mode(ColorMode::None),
        Keymap::default(),
    );
    app.resize(Rect::new(0, 0, width, height));
    app
}

fn press(app: &mut App, actions: &[Action]) {
    for a in actions {
        app.update(*a);
    }
}

#[test]
fn starts_at_the_top_of_the_first_guide() {
    let app = app_at(80, 24);
    assert_eq!(app.reader.guide, 0);
    assert_eq!(app.reader.top, 0);
    assert_eq!(app.focus, Focus::Reader);
}

#[test]
fn paging_moves_by_a_screen_and_stays_in_bounds() {
    let mut app = app_at(80, 24);
    let h = app.height();
    press(&mut app, &[Action::PageDown]);
    assert_eq!(app.reader.top, h - 1);
    press(&mut app, &[Action::Bottom]);
    let last = app.reader.layout.rows.len() - h;
    assert_eq!(app.reader.top, last);
    assert_eq!(app.percent(), Some(100));
    press(&mut app, &[Action::ScrollDown, Action::PageDown]);
    assert_eq!(app.reader.top, last, "never scrolls past the end");
    press(&mut app, &[Action::Top]);
    assert_eq!(app.reader.top, 0);
}

#[test]
fn heading_jumps_follow_the_outline() {
    let mut app = app_at(80, 24);
    press(&mut app, &[Action::NextHeading]);
    let h = app.current_heading().expect("in a section");
    assert_eq!(
        app.reader.doc.headings[h].anchor,
        "preferred-pattern-canonical"
    );
    press(&mut app, &[Action::NextHeading]);
    let h2 = app.current_heading().expect("in a section");
    assert_eq!(app.reader.doc.headings[h2].anchor, "deprecated-patterns");
    press(&mut app, &[Action::PrevHeading]);
    assert_eq!(app.current_heading(), Some(h));
}

#[test]
fn guides_history_back_and_forward() {
    let mut app = app_at(80, 24);
    press(&mut app, &[Action::NextGuide]);
    assert_eq!(app.reader.guide, 1);
    press(&mut app, &[Action::NextGuide]);
    assert_eq!(app.reader.guide, 2);
    press(&mut app, &[Action::Back]);
    assert_eq!(app.reader.guide, 1);
    press(&mut app, &[Action::Back]);
    assert_eq!(app.reader.guide, 0);
    press(&mut app, &[Action::Forward]);
    assert_eq!(app.reader.guide, 1);
    press(&mut app, &[Action::PrevGuide, Action::PrevGuide]);
    assert_eq!(app.reader.guide, 0);
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.text.contains("first guide"))
    );
}

#[test]
fn links_select_and_open_other_guides() {
    let mut app = app_at(100, 30);
    press(&mut app, &[Action::NextLink]);
    let sel = app.reader.link.expect("a link is selected");
    let url = app.reader.doc.links[sel.link as usize].url.clone();
    assert_eq!(url, "quick-reference.md");
    press(&mut app, &[Action::Open]);
    assert_eq!(app.reader.guide, 1);
    press(&mut app, &[Action::Back]);
    assert_eq!(app.reader.guide, 0);
    press(&mut app, &[Action::NextLink, Action::NextLink]);
    let second = app.reader.link.expect("second link");
    assert_eq!(
        app.reader.doc.links[second.link as usize].url,
        "migration-checklist.md"
    );
    press(&mut app, &[Action::PrevLink]);
    assert_eq!(app.reader.link.map(|l| l.link), Some(sel.link));
}

#[test]
fn anchors_and_missing_targets() {
    let mut app = app_at(80, 24);
    app.follow("quick-reference.md#type-checking");
    assert_eq!(app.reader.guide, 1);
    let h = app.current_heading().expect("heading");
    assert_eq!(app.reader.doc.headings[h].anchor, "type-checking");
    app.follow("../SSOT_IMPORT_REGISTRY.md");
    assert_eq!(app.reader.guide, 1, "stays put");
    let status = app.status.clone().expect("a message");
    assert!(status.error);
    assert_eq!(
        status.text,
        "not in this guide set: ../SSOT_IMPORT_REGISTRY.md"
    );
    app.follow("https://example.com");
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.text.contains("https://example.com"))
    );
}

#[test]
fn escape_closes_overlays_and_never_quits() {
    let mut app = app_at(80, 24);
    assert!(app.update(Action::Help).is_empty());
    assert!(app.overlay.is_some());
    assert!(app.update(Action::Cancel).is_empty());
    assert!(app.overlay.is_none());
    assert!(app.update(Action::Cancel).is_empty());
    assert_eq!(app.update(Action::Quit), vec![Effect::Quit]);
}

#[test]
fn sidebar_focus_selects_and_opens() {
    let mut app = app_at(100, 30);
    press(&mut app, &[Action::FocusNext]);
    assert_eq!(app.focus, Focus::Sidebar);
    let entries = app.sidebar_entries();
    let quick = entries
        .iter()
        .position(|e| *e == Entry::Guide(1))
        .expect("listed");
    while app.sidebar_selected < quick {
        press(&mut app, &[Action::ScrollDown]);
    }
    press(&mut app, &[Action::Open]);
    assert_eq!(app.reader.guide, 1);
}

#[test]
fn code_blocks_are_selected_in_turn() {
    let mut app = app_at(80, 24);
    press(&mut app, &[Action::NextCode]);
    assert_eq!(app.reader.code, Some(0));
    press(&mut app, &[Action::NextCode, Action::NextCode]);
    assert_eq!(app.reader.code, Some(2));
    press(&mut app, &[Action::PrevCode]);
    assert_eq!(app.reader.code, Some(1));
    press(&mut app, &[Action::Cancel]);
    assert_eq!(app.reader.code, None);
}

#[test]
fn resize_keeps_the_same_block_on_top() {
    let mut app = app_at(100, 30);
    press(&mut app, &[Action::NextHeading, Action::NextHeading]);
    let before = app.current_heading();
    app.resize(Rect::new(0, 0, 50, 20));
    assert_eq!(app.current_heading(), before);
    app.resize(Rect::new(0, 0, 1, 1));
    app.resize(Rect::new(0, 0, 120, 40));
    assert_eq!(app.current_heading(), before);
}

#[test]
fn start_at_anchor_leaves_no_history() {
    let mut app = app_at(80, 24);
    app.start_at(1, Some("type-checking"));
    assert_eq!(app.reader.guide, 1);
    app.update(Action::Back);
    assert_eq!(app.reader.guide, 1);
}

#[test]
fn a_jump_survives_the_first_resize() {
    let mut app = App::new(
        GuideSet::bundled(),
        Theme::for_mode(ColorMode::None),
        Keymap::default(),
    );
    app.start_at(0, Some("related-documentation"));
    app.resize(Rect::new(0, 0, 100, 30));
    let h = app.current_heading().expect("heading");
    assert_eq!(app.reader.doc.headings[h].anchor, "related-documentation");
}

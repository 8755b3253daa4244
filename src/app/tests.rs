use super::*;
use crate::theme::ColorMode;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use find::Find;

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
    assert_eq!(url, "02-quick-reference.md");
    press(&mut app, &[Action::Open]);
    assert_eq!(app.reader.guide, 1);
    press(&mut app, &[Action::Back]);
    assert_eq!(app.reader.guide, 0);
    press(&mut app, &[Action::NextLink, Action::NextLink]);
    let second = app.reader.link.expect("second link");
    assert_eq!(
        app.reader.doc.links[second.link as usize].url,
        "03-migration-checklist.md"
    );
    press(&mut app, &[Action::PrevLink]);
    assert_eq!(app.reader.link.map(|l| l.link), Some(sel.link));
}

/// `y` with a link selected (and no code block) copies the link's URL; Enter on an
/// external link asks the run loop to open it.
#[test]
fn y_copies_the_selected_link_and_enter_opens_it() {
    let mut app = app_at(80, 24);
    press(&mut app, &[Action::NextLink]);
    let sel = app.reader.link.expect("a link");
    let url = app.reader.doc.links[sel.link as usize].url.clone();
    let fx = app.update(Action::CopyBlock);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Copy { text, what } if *text == url && what == "link")),
        "{fx:?}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a.md");
    std::fs::write(&file, "# A\n\nsee [docs](https://example.com/x)\n").expect("write");
    let set = GuideSet::from_file(&file).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    app.resize(Rect::new(0, 0, 80, 24));
    press(&mut app, &[Action::NextLink]);
    let fx = app.update(Action::Open);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::OpenUrl(u) if u == "https://example.com/x")),
        "{fx:?}"
    );
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
    let fx = app.follow("https://example.com");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::OpenUrl(u) if u == "https://example.com")),
        "{fx:?}"
    );
}

#[test]
fn escape_closes_overlays_and_never_quits() {
    let mut app = app_at(80, 24);
    assert!(app.act(Action::Help).is_empty());
    assert!(app.overlay.is_some());
    assert!(app.act(Action::Cancel).is_empty());
    assert!(app.overlay.is_none());
    assert!(app.act(Action::Cancel).is_empty());
    assert!(matches!(app.act(Action::Quit).as_slice(), [Effect::Quit]));
    assert!(matches!(
        app.act(Action::Suspend).as_slice(),
        [Effect::Suspend]
    ));
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

mod checklists {
    use super::*;
    use crate::app::checklist::Checklists;
    use crate::checklist::ops;
    use crate::checklist::store::Store;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn code(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    /// Runs effects the way the run loop does, against a real store.
    fn run(app: &mut App, store: &mut Store, effects: Vec<Effect>) {
        for e in effects {
            if let Effect::Save { ops: batch, .. } = e {
                let r = ops::apply(
                    store,
                    &app.checklists.set_key,
                    &batch,
                    std::time::SystemTime::now(),
                );
                app.saved(r.map_err(|e| e.to_string()));
            }
        }
    }

    fn checklist_app(dir: &std::path::Path, migration: Option<&str>) -> (App, Store) {
        let mut app = app_at(100, 30);
        let opened = Store::open(dir.join("state.json"));
        let view = Checklists::new(
            app.set.identity(),
            opened.state,
            migration.map(str::to_string),
            None,
            "main".into(),
        );
        app.attach_checklists(view, opened.notices);
        app.open(2, None);
        (app, opened.store)
    }

    /// With no migration yet, `x` asks for a name; the first tick then creates the
    /// migration, and the gauge's roll-up counts that tick at once.
    #[test]
    fn the_first_tick_that_creates_a_migration_counts_in_the_gauge() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut app, mut store) = checklist_app(dir.path(), None);
        app.handle_key(&key('t'));
        let fx = app.handle_key(&key('x'));
        run(&mut app, &mut store, fx);
        let enter = crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Enter,
            crossterm::event::KeyModifiers::NONE,
        );
        let fx = app.handle_key(&enter);
        run(&mut app, &mut store, fx);
        assert!(app.task_done(0), "ticked: {:?}", app.status);
        let overall = app.checklists.progress.overall().expect("a roll-up");
        assert_eq!((overall.done, overall.total), (1, 5));
    }

    #[test]
    fn t_selects_the_next_open_item_and_x_ticks_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut app, mut store) = checklist_app(dir.path(), Some("auth-service"));
        let fx = app.handle_key(&key('t'));
        assert!(fx.is_empty());
        assert_eq!(app.reader.task, Some(0));
        let fx = app.handle_key(&key('x'));
        run(&mut app, &mut store, fx);
        assert!(app.task_done(0), "ticked: {:?}", app.status);
        assert_eq!(app.migration_summary().as_deref(), Some("auth-service 1/5"));
        // `t` skips ticked items.
        app.handle_key(&key('t'));
        assert_eq!(app.reader.task, Some(1));
        // Space ticks the selected item instead of paging.
        let top = app.reader.top;
        let fx = app.handle_key(&key(' '));
        run(&mut app, &mut store, fx);
        assert!(app.task_done(1));
        assert_eq!(app.reader.top, top);
        // A fresh reader on the same file sees both ticks.
        let (again, _) = checklist_app(dir.path(), None);
        assert_eq!(again.checklists.migration.as_deref(), Some("auth-service"));
        assert!(again.task_done(0) && again.task_done(1) && !again.task_done(2));
    }

    #[test]
    fn space_pages_down_when_no_item_is_selected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut app, _) = checklist_app(dir.path(), None);
        app.open(0, None);
        let fx = app.handle_key(&key(' '));
        assert!(fx.is_empty());
        assert!(app.reader.top > 0, "paged down");
    }

    #[test]
    fn ticking_without_a_migration_asks_for_one_named_after_the_branch() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut app, mut store) = checklist_app(dir.path(), None);
        app.handle_key(&key('t'));
        let fx = app.handle_key(&key('x'));
        assert!(fx.is_empty());
        assert!(matches!(app.overlay, Some(Overlay::Migrations(_))));
        let fx = app.handle_key(&code(KeyCode::Enter));
        run(&mut app, &mut store, fx);
        assert!(app.overlay.is_none());
        assert_eq!(app.checklists.migration.as_deref(), Some("main"));
        assert!(app.task_done(0));
    }

    #[test]
    fn checklist_focus_moves_between_items() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut app, mut store) = checklist_app(dir.path(), Some("m"));
        app.update(Action::FocusNext);
        assert_eq!(app.focus, Focus::Checklist);
        assert_eq!(app.reader.task, Some(0));
        app.update(Action::ScrollDown);
        app.update(Action::ScrollDown);
        assert_eq!(app.reader.task, Some(2));
        let fx = app.handle_key(&code(KeyCode::Enter));
        run(&mut app, &mut store, fx);
        assert!(app.task_done(2));
        app.update(Action::Cancel);
        assert_eq!(app.focus, Focus::Reader);
    }

    #[test]
    fn migrations_panel_creates_renames_switches_and_deletes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut app, mut store) = checklist_app(dir.path(), None);
        let typed = |app: &mut App, store: &mut Store, keys: &[KeyEvent]| {
            for k in keys {
                let fx = app.handle_key(k);
                run(app, store, fx);
            }
        };
        let word = |w: &str| w.chars().map(key).collect::<Vec<_>>();
        typed(&mut app, &mut store, &[key('m'), key('n')]);
        typed(&mut app, &mut store, &word("alpha"));
        typed(&mut app, &mut store, &[code(KeyCode::Enter)]);
        assert_eq!(app.checklists.migration.as_deref(), Some("alpha"));
        assert!(app.overlay.is_none(), "creating from the panel closes it");
        typed(&mut app, &mut store, &[key('m'), key('n')]);
        typed(&mut app, &mut store, &word("beta"));
        typed(&mut app, &mut store, &[code(KeyCode::Enter)]);
        assert_eq!(app.checklists.migration.as_deref(), Some("beta"));
        // Rename the selected (first: alpha) migration.
        typed(
            &mut app,
            &mut store,
            &[
                key('m'),
                key('r'),
                KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
            ],
        );
        typed(&mut app, &mut store, &word("gamma"));
        typed(&mut app, &mut store, &[code(KeyCode::Enter)]);
        let names = app
            .checklists
            .state
            .migration_names(&app.checklists.set_key);
        assert_eq!(names, ["beta", "gamma"]);
        // Switch to gamma (second row) with Enter.
        typed(&mut app, &mut store, &[key('j'), code(KeyCode::Enter)]);
        assert_eq!(app.checklists.migration.as_deref(), Some("gamma"));
        // Delete beta: `d` asks, `n` keeps it, `d` `y` deletes.
        typed(&mut app, &mut store, &[key('m'), key('d'), key('n')]);
        assert_eq!(
            app.checklists
                .state
                .migration_names(&app.checklists.set_key)
                .len(),
            2
        );
        typed(&mut app, &mut store, &[key('d'), key('y')]);
        assert_eq!(
            app.checklists
                .state
                .migration_names(&app.checklists.set_key),
            ["gamma"]
        );
        typed(&mut app, &mut store, &[code(KeyCode::Esc)]);
        assert!(app.overlay.is_none());
    }

    #[test]
    fn a_failed_save_says_so_and_shows_no_tick() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut app, _) = checklist_app(dir.path(), Some("m"));
        app.handle_key(&key('t'));
        let fx = app.handle_key(&key('x'));
        assert!(!fx.is_empty());
        app.saved(Err("disk full".into()));
        assert!(!app.task_done(0));
        let status = app.status.clone().expect("message");
        assert!(status.error && status.text.contains("not saved: disk full"));
    }

    #[test]
    fn a_click_on_an_item_ticks_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut app, mut store) = checklist_app(dir.path(), Some("m"));
        let layout = &app.reader.layout;
        let r = layout
            .rows
            .iter()
            .position(|r| layout.task(r).is_some())
            .expect("a task row");
        if r < app.reader.top || r >= app.reader.top + app.height() {
            app.reader.top = r;
        }
        let y = app.areas.text.y + (r - app.reader.top) as u16;
        let fx = app.click(app.areas.text.x + 3, y);
        run(&mut app, &mut store, fx);
        assert!(app.task_done(0));
    }
}

mod search_and_copy {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn type_str(app: &mut App, s: &str) {
        for c in s.chars() {
            app.handle_key(&key(c));
        }
    }

    #[test]
    fn a_search_that_finds_nothing_leaves_the_view_and_the_guide_alone() {
        let mut app = app_at(100, 30);
        app.act(Action::PageDown);
        let (top, guide) = (app.reader.top, app.reader.guide);
        app.handle_key(&key('/'));
        // The start of the query matches further down and moves the view; the whole
        // query matches nothing.
        let far = app
            .reader
            .doc
            .code_blocks
            .last()
            .map(|c| c.raw.to_string())
            .unwrap_or_default();
        let far: String = far.lines().next().unwrap_or("").chars().take(30).collect();
        type_str(&mut app, &far);
        assert_ne!(app.reader.top, top, "a match far down moved the view");
        type_str(&mut app, "zzqq");
        assert_eq!(
            app.reader.top, top,
            "no match: the view is back where it was"
        );
        app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        assert_eq!(
            app.reader.find.as_ref().map(|f| f.count()).as_deref(),
            Some("0/0")
        );
        app.handle_key(&key('n'));
        assert_eq!(app.reader.guide, guide, "n after 0/0 stays in this guide");
        assert_eq!(app.reader.top, top);
        assert!(
            app.status
                .as_ref()
                .is_some_and(|s| s.text.contains("no match")),
            "{:?}",
            app.status
        );
    }

    #[test]
    fn escape_while_typing_a_search_goes_back_to_where_it_began() {
        let mut app = app_at(100, 30);
        let top = app.reader.top;
        app.handle_key(&key('/'));
        type_str(&mut app, "get_websocket_manager");
        assert_ne!(app.reader.top, top, "the match moved the view");
        app.handle_key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        assert_eq!(app.reader.top, top);
        assert!(app.reader.find.is_none());
    }

    #[test]
    fn slash_searches_as_you_type_and_n_steps() {
        let mut app = app_at(100, 30);
        app.handle_key(&key('/'));
        type_str(&mut app, "websocketmanager");
        let find = app.reader.find.clone().expect("searching");
        assert!(find.editing);
        assert!(find.len() > 10, "{}", find.len());
        assert_eq!(find.count(), format!("1/{}", find.len()));
        app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        app.handle_key(&key('n'));
        assert_eq!(
            app.reader.find.as_ref().map(Find::count),
            Some(format!("2/{}", find.len()))
        );
        assert_eq!(
            app.reader.guide, 0,
            "n steps matches, not guides, while searching"
        );
        app.handle_key(&key('N'));
        app.handle_key(&key('N'));
        assert_eq!(
            app.reader.find.as_ref().map(Find::count),
            Some(format!("{0}/{0}", find.len()))
        );
        // The current match is on screen.
        let m = app
            .reader
            .find
            .as_ref()
            .and_then(|f| f.current_match(&app.reader.layout))
            .expect("match");
        assert!(app.visible_rows().contains(&m.row()));
        // Esc clears; then n is the next guide again.
        app.update(Action::Cancel);
        assert!(app.reader.find.is_none());
        app.handle_key(&key('n'));
        assert_eq!(app.reader.guide, 1);
    }

    #[test]
    fn smart_case_in_the_reader() {
        let mut app = app_at(100, 30);
        app.handle_key(&key('/'));
        type_str(&mut app, "Websocketmanager");
        assert_eq!(app.reader.find.as_ref().map(|f| f.len()), Some(0));
    }

    #[test]
    fn y_copies_the_selected_block_exactly_as_written() {
        let mut app = app_at(100, 30);
        assert!(app.handle_key(&key('y')).is_empty(), "nothing selected yet");
        app.handle_key(&key('}'));
        let fx = app.handle_key(&key('y'));
        let raw = app.reader.doc.code_blocks[0].raw.to_string();
        assert!(
            matches!(fx.as_slice(), [Effect::Copy { text, what }]
                if *text == raw && what == "code block (3 lines)"),
            "{fx:?}"
        );
    }

    #[test]
    fn shift_y_copies_the_code_line_a_search_landed_on() {
        let mut app = app_at(60, 30);
        app.handle_key(&key('/'));
        type_str(&mut app, "get_websocket_manager");
        app.handle_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        let fx = app.handle_key(&KeyEvent::new(KeyCode::Char('Y'), KeyModifiers::SHIFT));
        let Some(Effect::Copy { text, .. }) = fx.first() else {
            panic!("no copy: {fx:?}")
        };
        assert_eq!(
            text,
            "from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager"
        );
    }
}

mod finder {
    use super::*;
    use crate::app::finder::Indexes;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn finder_app() -> App {
        let mut app = app_at(100, 30);
        let ix = Indexes::build(&app.set);
        app.set_indexes(ix);
        app
    }

    fn type_str(app: &mut App, s: &str) {
        for c in s.chars() {
            app.handle_key(&key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn ctrl_p_finds_a_code_line_and_enter_lands_on_it() {
        let mut app = finder_app();
        app.handle_key(&KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL));
        assert!(matches!(app.overlay, Some(Overlay::Finder(_))));
        type_str(&mut app, "WebSocketManagerProtocol");
        let Some(Overlay::Finder(f)) = &app.overlay else {
            panic!("finder closed")
        };
        assert!(!f.hits.is_empty());
        let card = f.card.as_ref().expect("a lookup card for a symbol");
        assert_eq!(
            card.canonical[0].import_line,
            "from netra_backend.app.websocket_core.protocols import WebSocketManagerProtocol"
        );
        app.handle_key(&key(KeyCode::Enter));
        assert!(app.overlay.is_none());
        let row = app.reader.cursor.expect("cursor on the hit");
        assert!(app.visible_rows().contains(&row), "the hit is on screen");
        let text = app.reader.layout.row_text(row).to_string();
        assert!(
            text.contains("from netra_backend.app.websocket_core.protocols import"),
            "{text}"
        );
        // History: b returns to where we were.
        let guide = app.reader.guide;
        app.update(Action::Back);
        assert_eq!(app.reader.guide, 0);
        assert_ne!(guide, 0);
    }

    #[test]
    fn ctrl_y_copies_the_canonical_import_from_the_card() {
        let mut app = finder_app();
        app.handle_key(&key(KeyCode::Char(':')));
        type_str(&mut app, "get_websocket_manager");
        let fx = app.handle_key(&KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL));
        assert!(
            matches!(fx.as_slice(), [Effect::Copy { text, what }]
                if text == "from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager"
                    && what == "canonical import"),
            "{fx:?}"
        );
        app.handle_key(&key(KeyCode::Esc));
        assert!(app.overlay.is_none());
    }

    #[test]
    fn the_finder_waits_for_the_index() {
        let mut app = app_at(100, 30);
        app.handle_key(&KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL));
        type_str(&mut app, "canonical");
        let Some(Overlay::Finder(f)) = &app.overlay else {
            panic!("finder closed")
        };
        assert!(f.hits.is_empty());
        let ix = Indexes::build(&app.set);
        app.set_indexes(ix);
        let Some(Overlay::Finder(f)) = &app.overlay else {
            panic!("finder closed")
        };
        assert!(!f.hits.is_empty(), "results appear once the index is ready");
    }
}

#[test]
fn keys_in_the_help_overlay_scroll_it_instead_of_closing_it() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = app_at(80, 24);
    app.handle_key(&KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE));
    app.handle_key(&KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE));
    assert_eq!(app.overlay, Some(Overlay::Help { scroll: 1 }));
    app.handle_key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert_eq!(app.overlay, None);
}

#[test]
fn e_on_the_bundled_set_explains_and_points_to_export() {
    let mut app = app_at(80, 24);
    assert!(app.act(Action::Edit).is_empty());
    let status = app.status.clone().expect("a message");
    assert!(
        status.text.contains("devguide export DIR"),
        "{}",
        status.text
    );
}

#[test]
fn e_on_a_folder_guide_asks_for_the_editor_at_the_line_on_screen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body: String = (1..=60).map(|i| format!("line {i}\n\n")).collect();
    std::fs::write(
        dir.path().join("g.md"),
        format!("+++\ntitle = \"G\"\n+++\n{body}"),
    )
    .expect("write");
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    app.resize(Rect::new(0, 0, 80, 24));
    app.update(Action::PageDown);
    let top_text = app.reader.layout.row_text(app.reader.top).to_string();
    let fx = app.act(Action::Edit);
    let [Effect::Edit { path, line }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(path, &dir.path().join("g.md"));
    let file = std::fs::read_to_string(path).expect("read");
    let at = file.lines().nth(line - 1).unwrap_or_default();
    assert_eq!(
        at,
        top_text.trim(),
        "line {line} is the one at the top of the screen"
    );
}

#[test]
fn a_large_guide_opens_from_a_prefix_and_the_whole_keeps_the_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body: String = (0..20_000)
        .map(|i| format!("## Section {i}\n\nText of section {i}.\n\n"))
        .collect();
    assert!(body.len() > PARTIAL_PARSE_OVER);
    std::fs::write(dir.path().join("big.md"), &body).expect("write");
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    app.resize(Rect::new(0, 0, 80, 24));
    assert!(app.reader.partial);
    assert!(
        app.reader.doc.blocks.len() < 1_000,
        "only a prefix before the first frame"
    );
    let top = app.reader.top;
    let (guide, text) = app.take_pending_parse().expect("asks for the whole");
    assert!(app.take_pending_parse().is_none(), "asked once");
    assert!(
        app.full_doc_ready(guide, crate::doc::parse(&text))
            .is_empty()
    );
    assert!(!app.reader.partial);
    assert_eq!(app.reader.doc.headings.len(), 20_000);
    assert_eq!(app.reader.top, top);
    app.update(Action::Bottom);
    let shown: Vec<String> = app
        .visible_rows()
        .map(|r| app.reader.layout.row_text(r).to_string())
        .collect();
    assert!(
        shown.iter().any(|t| t == "Text of section 19999."),
        "{shown:?}"
    );
}

/// The reader over a 40,000-section file opened from its first part: the app after its
/// first frame, the file's text, and the background read it asked for.
fn app_reading_in_part(dir: &std::path::Path) -> (App, String, usize, crate::content::WholeRead) {
    let body: String = (0..40_000)
        .map(|i| format!("## Section {i}\n\nText of section {i}.\n\n"))
        .collect();
    let path = dir.join("big.md");
    std::fs::write(&path, &body).expect("write");
    let set = GuideSet::from_file_start(&path).expect("loads");
    assert!(set.guides[0].partial, "only the file's first part was read");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    let fx = app.update(Msg::Resize(Rect::new(0, 0, 80, 24)));
    assert!(app.reader.partial);
    let Some(Effect::ReadWhole { guide, read }) = fx
        .into_iter()
        .find(|e| matches!(e, Effect::ReadWhole { .. }))
    else {
        panic!("the rest is not asked for")
    };
    (app, body, guide, read)
}

#[test]
fn a_guide_read_in_part_shows_its_first_screen_and_the_whole_replaces_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut app, body, guide, read) = app_reading_in_part(dir.path());
    let shown: Vec<String> = app
        .visible_rows()
        .map(|r| app.reader.layout.row_text(r).to_string())
        .collect();
    assert!(shown.iter().any(|t| t == "Text of section 0."), "{shown:?}");
    // G before the whole arrives waits for it, then lands on the last line.
    let key = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE);
    assert!(app.handle_key(&key).is_empty());
    assert_eq!(app.reader.top, 0);
    let whole = read.read().map(|g| {
        let doc = crate::doc::parse(&g.body);
        Box::new((g, doc))
    });
    app.update(Msg::ReadWhole { guide, whole });
    assert!(!app.reader.partial);
    assert_eq!(app.set.guides[0].body, body);
    let shown: Vec<String> = app
        .visible_rows()
        .map(|r| app.reader.layout.row_text(r).to_string())
        .collect();
    assert_eq!(
        shown.last().map(String::as_str),
        Some("Text of section 39999.")
    );
}

#[test]
fn a_whole_that_cannot_be_read_releases_the_keys_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body: String = (0..40_000).map(|i| format!("Line {i}.\n\n")).collect();
    let path = dir.path().join("big.md");
    std::fs::write(&path, &body).expect("write");
    let set = GuideSet::from_file_start(&path).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    app.update(Msg::Resize(Rect::new(0, 0, 80, 24)));
    let key = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE);
    assert!(app.handle_key(&key).is_empty());
    app.update(Msg::ReadWhole {
        guide: 0,
        whole: Err("big.md: cannot be read: gone".into()),
    });
    assert!(!app.reader.partial, "keys no longer wait");
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("cannot be read"), "{status}");
    assert!(app.reader.top > 0, "the held G acted on what there is");
}

/// A whole read for a guide that is no longer in the set (its id is not found) is not
/// taken into another guide's place: the keys held for it are released.
#[test]
fn a_whole_for_a_guide_no_longer_there_is_not_taken() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut app, _, guide, read) = app_reading_in_part(dir.path());
    let key = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE);
    assert!(app.handle_key(&key).is_empty());
    let prefix = app.set.guides[0].body.clone();
    let whole = read.read().map(|mut g| {
        g.id = "another-guide".into();
        let doc = crate::doc::parse(&g.body);
        Box::new((g, doc))
    });
    app.update(Msg::ReadWhole { guide, whole });
    assert_eq!(app.set.guides[0].body, prefix, "the prefix is kept");
    assert!(!app.reader.partial, "keys no longer wait");
    assert!(app.reader.top > 0, "the held G acted on what there is");
}

#[test]
fn a_key_before_the_whole_arrives_parses_it_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body: String = (0..20_000)
        .map(|i| format!("## Section {i}\n\nText {i}.\n\n"))
        .collect();
    std::fs::write(dir.path().join("big.md"), &body).expect("write");
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    app.resize(Rect::new(0, 0, 80, 24));
    app.update(Action::Bottom);
    assert!(!app.reader.partial);
    let shown: Vec<String> = app
        .visible_rows()
        .map(|r| app.reader.layout.row_text(r).to_string())
        .collect();
    assert!(shown.iter().any(|t| t == "Text 19999."), "{shown:?}");
}

#[test]
fn g_pressed_while_the_whole_is_parsed_elsewhere_lands_on_the_last_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body: String = (0..20_000)
        .map(|i| format!("## Section {i}\n\nText {i}.\n\n"))
        .collect();
    std::fs::write(dir.path().join("big.md"), &body).expect("write");
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    app.resize(Rect::new(0, 0, 80, 24));
    // The run loop has handed the parse to a thread after the first frame.
    let (guide, text) = app.take_pending_parse().expect("asks for the whole");
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    assert!(app.handle_key(&key('G')).is_empty());
    assert!(app.reader.partial, "the key waits; nothing parses here");
    assert_eq!(app.reader.top, 0, "nothing moved on the prefix");
    assert!(
        app.full_doc_ready(guide, crate::doc::parse(&text))
            .is_empty()
    );
    let shown: Vec<String> = app
        .visible_rows()
        .map(|r| app.reader.layout.row_text(r).to_string())
        .collect();
    assert_eq!(shown.last().map(String::as_str), Some("Text 19999."));
    assert_eq!(app.percent(), Some(100));
    // Keys after it act at once, in order.
    app.handle_key(&key('g'));
    assert_eq!(app.reader.top, 0);
}

#[test]
fn keys_held_for_a_parse_that_failed_act_on_the_prefix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body: String = (0..20_000)
        .map(|i| format!("## Section {i}\n\nText {i}.\n\n"))
        .collect();
    std::fs::write(dir.path().join("big.md"), &body).expect("write");
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    app.resize(Rect::new(0, 0, 80, 24));
    let (guide, _) = app.take_pending_parse().expect("asks for the whole");
    let key = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    app.handle_key(&key);
    assert_eq!(app.reader.top, 0);
    app.full_parse_failed(guide);
    assert_eq!(app.reader.top, 1, "the held key acted");
    assert!(app.status.as_ref().is_some_and(|s| s.error));
}

#[test]
fn sections_count_as_read_after_a_moment_on_screen_but_not_under_an_overlay() {
    let mut app = app_at(100, 30);
    let start = std::time::Instant::now();
    let later = start + crate::app::progress::READ_AFTER;
    app.resume_or_welcome(None);
    app.note_time(start);
    app.note_time(later);
    assert!(
        !(0..app.reader.doc.headings.len()).any(|h| app.section_read(h)),
        "the start screen covers the guide"
    );
    app.handle_key(&crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Esc,
        crossterm::event::KeyModifiers::NONE,
    ));
    assert!(app.overlay.is_none());
    app.note_time(start);
    assert!(!app.section_read(0));
    app.note_time(later);
    assert!(app.section_read(0), "on screen long enough");
}

/// The headless driver: messages in, effects out, no terminal.
mod driver {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    #[test]
    fn opening_the_finder_asks_for_the_index_once_and_its_result_comes_back_as_a_message() {
        let mut app = App::new(
            GuideSet::bundled(),
            Theme::for_mode(ColorMode::None),
            Keymap::default(),
        );
        app.update(Msg::Resize(Rect::new(0, 0, 100, 30)));
        let fx = app.update(key(':'));
        let index = fx.iter().find_map(|e| match e {
            Effect::Index { set, parsed } => {
                Some(crate::app::finder::Indexes::build_with(set, parsed))
            }
            _ => None,
        });
        let index = index.expect("the finder asks for the index");
        let again = app.update(key('w'));
        assert!(
            !again.iter().any(|e| matches!(e, Effect::Index { .. })),
            "asked once: {again:?}"
        );
        app.update(Msg::Indexed(Box::new(index)));
        let Some(Overlay::Finder(f)) = &app.overlay else {
            panic!("finder closed")
        };
        assert!(
            !f.hits.is_empty(),
            "the query typed before the index ran when it came"
        );
    }

    #[test]
    fn a_large_guide_asks_for_its_full_parse_and_takes_it_from_a_message() {
        let body = "# Big\n\n".to_string() + &"Some words in a paragraph.\n\n".repeat(30_000);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.md");
        std::fs::write(&path, &body).expect("write");
        let set = GuideSet::from_file(&path).expect("loads");
        let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
        assert!(app.reader.partial);
        let fx = app.update(Msg::Resize(Rect::new(0, 0, 80, 24)));
        let Some(Effect::Parse { guide, id, body }) =
            fx.iter().find(|e| matches!(e, Effect::Parse { .. }))
        else {
            panic!("no parse asked for: {fx:?}")
        };
        let doc = Box::new(doc::parse(body));
        let fx = app.update(Msg::Resize(Rect::new(0, 0, 80, 24)));
        assert!(
            !fx.iter().any(|e| matches!(e, Effect::Parse { .. })),
            "once"
        );
        assert!(
            fx.iter().any(|e| matches!(e, Effect::Idle)),
            "layout left to do"
        );
        // A parse of another text (the file changed meanwhile) is dropped and asked again.
        let stale = Box::new(doc::parse("# Big\n"));
        let fx = app.update(Msg::Parsed {
            guide: *guide,
            id: id.clone(),
            len: body.len() + 1,
            doc: stale,
        });
        assert!(app.reader.partial, "a stale parse is not taken");
        assert!(
            fx.iter().any(|e| matches!(e, Effect::Parse { .. })),
            "asked again: {fx:?}"
        );
        // One for a guide no longer in the set is dropped too.
        app.update(Msg::Parsed {
            guide: *guide,
            id: "gone".into(),
            len: body.len(),
            doc: Box::new(doc::parse(body)),
        });
        assert!(app.reader.partial);
        app.update(Msg::Parsed {
            guide: *guide,
            id: id.clone(),
            len: body.len(),
            doc,
        });
        assert!(!app.reader.partial);
        assert_eq!(app.reader.doc.blocks.len(), 30_001);
    }
}

#[test]
fn the_sidebar_window_matches_the_whole_list() {
    let mut app = app_at(100, 30);
    app.act(Action::NextGuide);
    let all = app.sidebar_entries();
    for first in 0..all.len() {
        for count in [1, 3, 100] {
            let end = all.len().min(first + count);
            assert_eq!(
                app.sidebar_window(first, count),
                all[first..end],
                "{first}+{count}"
            );
        }
    }
}

#[test]
fn the_wheel_over_an_overlay_moves_its_list_not_the_text_beneath() {
    let mut app = app_at(100, 30);
    app.act(Action::StartScreen);
    app.update(Msg::Scroll {
        column: 50,
        row: 10,
        down: true,
    });
    assert_eq!(app.overlay, Some(Overlay::Start { selected: 1 }));
    assert_eq!(app.reader.top, 0, "the reader under it did not scroll");
}

/// A page that only shows task lists gets no gauge until the set has a migration; a
/// guide whose front matter says `checklist = true` gets one from the start, and
/// `checklist = false` never.
#[test]
fn the_gauge_waits_for_a_migration_or_a_declared_checklist() {
    use crate::app::checklist::Checklists;
    use crate::checklist::State;
    let dir = tempfile::tempdir().expect("tempdir");
    let write =
        |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    write("a-example.md", "# Example\n\n- [ ] shown, not tracked\n");
    write(
        "b-list.md",
        "+++\nchecklist = true\n+++\n# List\n\n- [ ] step\n",
    );
    write(
        "c-never.md",
        "+++\nchecklist = false\n+++\n# Never\n\n- [ ] x\n",
    );
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let with = |state: State| {
        let mut app = App::new(
            set.clone(),
            Theme::for_mode(ColorMode::None),
            Keymap::default(),
        );
        app.resize(Rect::new(0, 0, 80, 24));
        let key = app.set.identity();
        app.attach_checklists(
            Checklists::new(key, state, None, None, "main".into()),
            Vec::new(),
        );
        let gauged: Vec<bool> = (0..3)
            .map(|g| {
                app.open(g, None);
                app.areas.gauge.is_some()
            })
            .collect();
        gauged
    };
    assert_eq!(with(State::default()), [false, true, false]);
    let mut state = State::default();
    let key = set.identity();
    state
        .create_migration(&key, "auth", std::time::SystemTime::now())
        .expect("create");
    assert_eq!(with(state), [true, true, false]);
}

/// A walk of a large tree that took a second is not repeated for twenty: an idle reader
/// never keeps a core busy walking.
#[test]
fn a_slow_folder_walk_spaces_out_the_next() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.md"), "# A\n").expect("write");
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    let asks = |fx: Vec<Effect>| fx.iter().any(|e| matches!(e, Effect::Rescan(_)));
    let start = std::time::Instant::now();
    assert!(asks(app.update(Msg::Tick(start))));
    app.update(Msg::Rescanned {
        result: Ok(None),
        took: std::time::Duration::from_secs(1),
    });
    let at = |secs: u64| start + std::time::Duration::from_secs(secs);
    assert!(
        !asks(app.update(Msg::Tick(at(5)))),
        "too soon after a 1 s walk"
    );
    assert!(
        asks(app.update(Msg::Tick(at(21)))),
        "twenty times the walk later"
    );
}

#[test]
fn a_folder_rescanned_keeps_the_open_guide_and_follows_a_rename() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |f: &str, text: &str| std::fs::write(dir.path().join(f), text).expect("write");
    write("a.md", "# A\n\nFirst.\n");
    write("b.md", "# B\n\nSecond.\n");
    write("c.md", "# C\n\nThird.\n");
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    app.resize(Rect::new(0, 0, 80, 24));
    app.open(2, None);
    let names = |app: &App| -> Vec<String> {
        app.sidebar_entries()
            .iter()
            .filter_map(|e| match e {
                Entry::Guide(g) => Some(app.set.guides[*g].rel_path.clone()),
                Entry::Heading(_) | Entry::Folder(_) => None,
            })
            .collect()
    };

    // The tick asks for a walk of the folder, once until it answers.
    let effects = app.update(Msg::Tick(std::time::Instant::now()));
    let Some(Effect::Rescan(asked)) = effects.iter().find(|e| matches!(e, Effect::Rescan(_)))
    else {
        panic!("a folder set is rescanned on the tick");
    };
    let asked = asked.clone();
    let later = std::time::Instant::now() + update::RELOAD_EVERY * 2;
    assert!(
        !app.update(Msg::Tick(later))
            .iter()
            .any(|e| matches!(e, Effect::Rescan(_))),
        "one walk at a time"
    );

    // c.md renamed to 1-c.md (sorts first), two guides added, a.md removed.
    std::fs::rename(dir.path().join("c.md"), dir.path().join("1-c.md")).expect("rename");
    std::fs::remove_file(dir.path().join("a.md")).expect("remove");
    write("d.md", "# D\n");
    write("e.md", "# E\n");
    // While an index build numbering the old guides is out, the new set waits.
    app.index_out = true;
    let rescan = asked.rescan().expect("walks").expect("a change");
    app.update(Msg::Rescanned {
        result: Ok(Some(Box::new(rescan))),
        took: std::time::Duration::ZERO,
    });
    assert_eq!(names(&app), ["a.md", "b.md", "c.md"]);
    app.update(Msg::Failed {
        what: "index".into(),
        error: "stopped".into(),
    });
    let rescan = asked.rescan().expect("walks").expect("a change");
    app.update(Msg::Rescanned {
        result: Ok(Some(Box::new(rescan))),
        took: std::time::Duration::ZERO,
    });
    assert_eq!(names(&app), ["1-c.md", "b.md", "d.md", "e.md"]);
    assert_eq!(app.set.guides[app.reader.guide].rel_path, "1-c.md");
    assert_eq!(app.reader.guide, 0);
    let status = app.status.as_ref().expect("a status").text.clone();
    assert_eq!(status, "1 guide renamed, 2 added, 1 removed");
    assert!(matches!(
        app.sidebar_entries().get(app.sidebar_selected),
        Some(Entry::Guide(0)) | Some(Entry::Heading(_))
    ));
    assert!(
        app.update(Msg::Tick(later + update::RELOAD_EVERY))
            .iter()
            .any(|e| matches!(e, Effect::Rescan(_))),
        "the answer lets the next walk go"
    );

    // The open guide removed: the first guide opens and the status bar says so.
    app.open(1, None);
    std::fs::remove_file(dir.path().join("b.md")).expect("remove");
    let rescan = app.set.rescan().expect("walks").expect("a change");
    app.update(Msg::Rescanned {
        result: Ok(Some(Box::new(rescan))),
        took: std::time::Duration::ZERO,
    });
    assert_eq!(names(&app), ["1-c.md", "d.md", "e.md"]);
    assert_eq!(app.reader.guide, 0);
    assert!(app.reader.doc.headings.iter().any(|h| h.text == "C"));
    let status = app.status.as_ref().expect("a status").text.clone();
    assert!(status.starts_with("b.md was removed"), "{status}");
    // Back goes to places that still exist only.
    app.update(Action::Back);
    assert!(app.reader.guide < app.set.guides.len());
}

/// A resize lays out the screen first and the rest in idle time; these check that the
/// screen and every row number come out as a full layout at the new width has them.
mod resize {
    use super::*;

    /// A guide of a few thousand blocks: sections of paragraphs of uneven length, lists
    /// and code, so rows per block differ with the width.
    fn long_guide() -> String {
        let mut md = String::from("# Long\n\n");
        for s in 0..120 {
            md.push_str(&format!("## Section {s}\n\n"));
            for p in 0..6 {
                let words = 5 + (s * 7 + p * 13) % 60;
                let text: Vec<String> = (0..words).map(|w| format!("w{s}x{p}y{w}")).collect();
                md.push_str(&text.join(" "));
                md.push_str("\n\n");
            }
            md.push_str(&format!(
                "- item {s} one\n- item {s} two, a little longer\n\n"
            ));
            md.push_str(&format!("```python\nfrom m{s} import f  # a comment long enough to wrap at narrow widths\n```\n\n"));
        }
        md
    }

    fn app_with(md: &str, width: u16, height: u16) -> (App, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("long.md");
        std::fs::write(&file, md).expect("write");
        let set = GuideSet::from_file(&file).expect("loads");
        let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
        app.resize(Rect::new(0, 0, width, height));
        app.settle();
        (app, dir)
    }

    fn screen(app: &App) -> Vec<String> {
        app.visible_rows()
            .map(|r| app.reader.layout.row_text(r).to_string())
            .collect()
    }

    #[test]
    fn a_resize_at_the_last_line_shows_what_a_full_layout_shows() {
        let md = long_guide();
        for (from, to) in [(120, 100), (100, 120), (120, 37), (40, 130)] {
            let (mut app, _dir) = app_with(&md, from, 40);
            app.update(Action::Bottom);
            let block = app.top_block();
            app.update(Msg::Resize(Rect::new(0, 0, to, 40)));
            // Only the end was laid out: the blocks above come in idle time.
            assert!(!app.reader.layout.is_complete(&app.reader.doc));
            assert!(app.reader.layout.first_block() > app.reader.doc.blocks.len() / 2);
            // The same block on top (as near as the end allows) in a full layout.
            let (mut whole, _dir2) = app_with(&md, to, 40);
            whole.scroll_to_block(block);
            assert_eq!(screen(&app), screen(&whole), "{from} -> {to}");
            assert_eq!(app.percent(), whole.percent(), "{from} -> {to}");
            app.settle();
            assert_eq!(screen(&app), screen(&whole), "{from} -> {to}, settled");
            assert_eq!(app.reader.top, whole.reader.top);
            // Compared by what each row shows (rows drawn alike may share stored text).
            let shown = |l: &crate::layout::Layout| -> Vec<String> {
                l.rows
                    .iter()
                    .map(|r| {
                        format!(
                            "{:?} {} {:?} {:?}",
                            l.spans(r),
                            r.block(),
                            l.frame(r),
                            l.code_line(r)
                        )
                    })
                    .collect()
            };
            assert_eq!(shown(&app.reader.layout), shown(&whole.reader.layout));
        }
    }

    #[test]
    fn the_view_stays_on_the_same_text_across_a_resize() {
        let md = long_guide();
        let (mut app, _dir) = app_with(&md, 120, 40);
        app.start_at(0, Some("section-77"));
        let top = screen(&app)[0].clone();
        assert_eq!(top, "Section 77");
        app.update(Msg::Resize(Rect::new(0, 0, 70, 30)));
        assert!(!app.reader.layout.is_complete(&app.reader.doc));
        assert_eq!(screen(&app)[0], top);
        // Scrolling down needs no rows above.
        app.update(Action::ScrollDown);
        assert!(app.reader.layout.first_block() > 0);
        let after_one = screen(&app)[0].clone();
        // Idle work fills in the rows above; the view does not move.
        for _ in 0..1000 {
            if app.reader.layout.is_complete(&app.reader.doc) {
                break;
            }
            app.update(Msg::Idle);
            assert_eq!(screen(&app)[0], after_one);
        }
        assert!(app.reader.layout.is_complete(&app.reader.doc));
        let (mut whole, _dir2) = app_with(&md, 70, 30);
        whole.start_at(0, Some("section-77"));
        whole.update(Action::ScrollDown);
        assert_eq!(screen(&app), screen(&whole));
        assert_eq!(app.reader.top, whole.reader.top);
        // Scrolling up right after a resize lays out the rest first and lands on the
        // row above, as a full layout would.
        app.update(Msg::Resize(Rect::new(0, 0, 90, 30)));
        whole.update(Msg::Resize(Rect::new(0, 0, 90, 30)));
        whole.settle();
        app.update(Action::ScrollUp);
        whole.update(Action::ScrollUp);
        assert_eq!(app.reader.layout.first_block(), 0);
        assert_eq!(screen(&app), screen(&whole));
        assert_eq!(app.percent(), whole.percent());
    }

    #[test]
    fn search_after_a_resize_finds_the_right_rows() {
        let md = long_guide();
        let (mut app, _dir) = app_with(&md, 120, 40);
        app.update(Action::Bottom);
        app.update(Msg::Resize(Rect::new(0, 0, 60, 40)));
        assert!(!app.reader.layout.is_complete(&app.reader.doc));
        app.update(Action::Search);
        for c in "w100x3y".chars() {
            app.update(Msg::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
        let (whole, _dir2) = app_with(&md, 60, 40);
        let expected = find::find_matches(&whole.reader.layout, "w100x3y");
        assert!(!expected.is_empty());
        let find = app.reader.find.as_ref().expect("searching");
        let got: Vec<_> = (0..find.len())
            .filter_map(|i| find.get(&app.reader.layout, i))
            .collect();
        assert_eq!(got, expected);
        let cursor = app.reader.cursor.expect("on a match");
        assert!(app.reader.layout.row_text(cursor).contains("w100x3y"));
        // Resized again while the search is open: the matches follow the new rows.
        app.update(Msg::Resize(Rect::new(0, 0, 90, 40)));
        let cursor = app.reader.cursor.expect("on a match");
        assert!(app.reader.layout.row_text(cursor).contains("w100x3y"));
        let find = app.reader.find.as_ref().expect("searching");
        for m in (0..find.len()).filter_map(|i| find.get(&app.reader.layout, i)) {
            let row = app.reader.layout.row_text(m.row());
            assert!(row.contains("w100x3y") || row.ends_with("w100x3"), "{row}");
        }
    }

    #[test]
    fn a_selected_link_and_the_cursor_follow_a_resize() {
        let mut md = long_guide();
        md.push_str("see [the end](#long) here\n");
        let (mut app, _dir) = app_with(&md, 120, 40);
        app.update(Action::Bottom);
        app.update(Action::NextLink);
        let link = app.reader.link.expect("a link");
        // The selection names the link and a row that has a cell of it.
        let on_its_row = |app: &App| {
            let moved = app.reader.link.expect("still selected");
            let row = &app.reader.layout.rows[moved.row];
            assert_eq!(moved.link, link.link);
            assert!(
                app.reader
                    .layout
                    .links(row)
                    .iter()
                    .any(|c| c.link == link.link)
            );
        };
        app.update(Msg::Resize(Rect::new(0, 0, 50, 40)));
        on_its_row(&app);
        app.settle();
        on_its_row(&app);
    }
}

/// The checklist catalog of a set is built elsewhere: the first frame and every key go
/// ahead while it builds, an answer for a set that changed meanwhile is dropped, and an
/// edited guide changes its own items only.
#[test]
fn the_checklist_catalog_is_built_elsewhere_and_updated_per_guide() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |f: &str, text: &str| std::fs::write(dir.path().join(f), text).expect("write");
    let long: String = (0..200).map(|i| format!("Line {i}.\n\n")).collect();
    write("a.md", &format!("# A\n\n- [ ] one\n\n{long}"));
    write("b.md", "# B\n\n- [ ] two\n- [ ] three\n");
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    let fx = app.update(Msg::Resize(Rect::new(0, 0, 80, 24)));
    let asked = fx.iter().find_map(|e| match e {
        Effect::Catalog {
            set,
            parsed,
            generation,
        } => Some((Arc::clone(set), parsed.clone(), *generation)),
        _ => None,
    });
    let (set, parsed, generation) = asked.expect("the catalog is asked for, not built here");
    assert!(app.checklists.catalog.is_none());

    // A key while it builds is answered at once, and the build is not asked for twice.
    let fx = app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('j'),
        KeyModifiers::NONE,
    )));
    assert_eq!(app.reader.top, 1, "j scrolled while the catalog was out");
    assert!(!fx.iter().any(|e| matches!(e, Effect::Catalog { .. })));
    assert!(app.checklists.catalog.is_none(), "nothing built inline");

    let (catalog, facts) = catalog_of(&set, &parsed);
    app.update(Msg::Cataloged {
        generation,
        catalog: Box::new(catalog),
        facts,
    });
    let ids = |app: &App| -> Vec<String> {
        let cat = app.checklists.catalog.as_ref().expect("a catalog");
        cat.items().iter().map(|i| i.id.clone()).collect()
    };
    assert_eq!(ids(&app), ["a#a#one", "b#b#two", "b#b#three"]);

    // The open guide edited: its items change, the catalog stays (no rebuild asked).
    let modified = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    write("a.md", &format!("# A\n\n- [ ] one\n- [ ] four\n\n{long}"));
    std::fs::File::options()
        .write(true)
        .open(dir.path().join("a.md"))
        .and_then(|f| f.set_modified(modified))
        .expect("touch");
    let fx = app.update(Msg::Edited(Ok(())));
    assert_eq!(ids(&app), ["a#a#one", "a#a#four", "b#b#two", "b#b#three"]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Catalog { .. })));

    // A rescan that changed the set: the old answer is dropped, a new build asked for.
    write("c.md", "# C\n\n- [ ] five\n");
    let rescan = app.set.rescan().expect("walks").expect("a change");
    let fx = app.update(Msg::Rescanned {
        result: Ok(Some(Box::new(rescan))),
        took: std::time::Duration::ZERO,
    });
    assert!(app.checklists.catalog.is_none());
    let (set, parsed, fresh) = fx
        .iter()
        .find_map(|e| match e {
            Effect::Catalog {
                set,
                parsed,
                generation,
            } => Some((Arc::clone(set), parsed.clone(), *generation)),
            _ => None,
        })
        .expect("asked again for the new set");
    app.update(Msg::Cataloged {
        generation,
        catalog: Box::new(crate::checklist::Catalog::default()),
        facts: Vec::new(),
    });
    assert!(app.checklists.catalog.is_none(), "an old answer is dropped");
    let (catalog, facts) = catalog_of(&set, &parsed);
    app.update(Msg::Cataloged {
        generation: fresh,
        catalog: Box::new(catalog),
        facts,
    });
    assert_eq!(ids(&app).len(), 5);
}

/// The start screen's reading time comes from a count kept per guide: made once in the
/// catalog pass, not on every frame, and made again for a guide whose file changed or
/// that a rescan brought in.
#[test]
fn word_counts_are_kept_and_refreshed_on_edit_and_rescan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |f: &str, text: &str| std::fs::write(dir.path().join(f), text).expect("write");
    let words = |n: usize| -> String { "word ".repeat(n) };
    write("a.md", &format!("# A\n\n{}\n", words(450)));
    write("b.md", &format!("# B\n\n{}\n", words(30)));
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    app.resize(Rect::new(0, 0, 80, 24));
    assert!(
        app.facts.is_empty(),
        "nothing counted before the catalog pass"
    );
    assert_eq!(
        app.guide_minutes(0),
        Some(3),
        "a guide on screen is counted as drawn"
    );
    app.settle();
    assert_eq!(app.facts.len(), 2);
    // The kept count is what the screen shows: a body changed behind the app's back
    // does not change it (proving it is not recounted per frame).
    Arc::make_mut(&mut app.set).guides[1].body = words(1000);
    assert_eq!(app.guide_minutes(1), Some(1));
    assert_eq!(
        app.guide_read_progress(1),
        Some((0, 1)),
        "from the kept anchors"
    );

    // The open guide edited on disk: counted again.
    write_later(
        &dir.path().join("a.md"),
        &format!("# A\n\n{}\n", words(650)),
    );
    app.update(Msg::Edited(Ok(())));
    assert_eq!(app.guide_minutes(0), Some(4));

    // A rescan: kept guides keep their count, the new guide's comes with the new pass.
    write("c.md", &format!("# C\n\n{}\n", words(801)));
    let rescan = app.set.rescan().expect("walks").expect("a change");
    app.update(Msg::Rescanned {
        result: Ok(Some(Box::new(rescan))),
        took: std::time::Duration::ZERO,
    });
    let c = app
        .set
        .guides
        .iter()
        .position(|g| g.rel_path == "c.md")
        .expect("c added");
    assert!(app.facts[c].is_none());
    app.settle();
    assert_eq!(app.facts[c].as_ref().map(|f| f.words), Some(803));
    assert_eq!(app.guide_minutes(c), Some(5));
}

/// A set loaded from its files' heads: the guide on screen is read before the first
/// frame, the rest in the background. Until the whole set lands nothing is built from
/// the unread guides (no catalog, no index, no folder walk), keys are answered, and a
/// guide opened meanwhile is read on the spot.
#[test]
fn a_set_read_from_heads_reads_the_rest_in_the_background() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |f: &str, text: &str| std::fs::write(dir.path().join(f), text).expect("write");
    let long: String = (0..600).map(|i| format!("Line {i} of text.\n\n")).collect();
    write("a.md", &format!("# Alpha\n\n- [ ] one\n\n{long}"));
    write("b.md", &format!("# Beta\n\n- [ ] two\n\n{long}"));
    write("c.md", &format!("# Gamma\n\n{long}"));
    let set = GuideSet::from_dir_heads(dir.path()).expect("loads");
    assert!(set.guides.iter().all(|g| g.pending), "only heads read");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    assert!(!app.set.guides[0].pending, "the guide on screen is read");
    assert!(app.set.guides[1].pending && app.set.guides[2].pending);
    assert_eq!(
        app.guide_minutes(2),
        None,
        "an unread guide has no length yet"
    );

    let fx = app.update(Msg::Resize(Rect::new(0, 0, 80, 24)));
    let read = fx.iter().find_map(|e| match e {
        Effect::ReadSet(dir) => Some(dir.clone()),
        _ => None,
    });
    let read = read.expect("the whole set is read elsewhere");
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Catalog { .. })),
        "no catalog of unread guides"
    );
    // The finder opens and waits for the index; nothing is indexed inline.
    let fx = app.update(Action::Finder);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Index { .. })));
    assert!(!app.indexes_ready());
    app.update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    let fx = app.update(Msg::Tick(std::time::Instant::now()));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Rescan(_))));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::ReadSet(_))),
        "asked once"
    );

    // A key is answered; a guide opened now is read for it.
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('j'),
        KeyModifiers::NONE,
    )));
    assert_eq!(app.reader.top, 1);
    app.open(2, None);
    assert!(!app.set.guides[2].pending);
    assert!(app.reader.doc.headings.iter().any(|h| h.text == "Gamma"));

    // The whole set lands: the same guides, texts swapped in; the catalog is asked for.
    let full = GuideSet::from_dir(&read).map_err(|e| e.to_string());
    let fx = app.update(Msg::SetRead(full.map(Box::new)));
    assert!(app.set.is_complete());
    assert_eq!(app.reader.guide, 2, "the open guide stays open");
    assert!(app.status.is_none(), "a quiet swap: {:?}", app.status);
    assert!(fx.iter().any(|e| matches!(e, Effect::Catalog { .. })));
    app.settle();
    assert_eq!(app.checklists.catalog.as_ref().map(|c| c.len()), Some(2));
    assert!(app.guide_minutes(1).is_some());
}

/// Three guides of a folder, each too long to be read for its title alone.
fn long_guides(dir: &std::path::Path) {
    let long: String = (0..600).map(|i| format!("Line {i} of text.\n\n")).collect();
    let write = |f: &str, text: String| std::fs::write(dir.join(f), text).expect("write");
    write("a.md", format!("# Alpha\n\n- [ ] one\n\n{long}"));
    write("b.md", format!("# Beta\n\n- [ ] two\n\n{long}"));
    write("c.md", format!("# Gamma\n\nA rare zebra word.\n\n{long}"));
}

/// The app over a folder of [`long_guides`], its heads read, then the whole set read
/// in the background with no text held.
fn app_over_unheld_folder(dir: &std::path::Path) -> App {
    long_guides(dir);
    let set = GuideSet::from_dir_heads(dir).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    app.resize(Rect::new(0, 0, 80, 24));
    let read = GuideSet::from_dir_unheld(dir).map_err(|e| e.to_string());
    app.update(Msg::SetRead(read.map(Box::new)));
    app
}

/// Writes `text` to `file` and dates it five seconds ahead, so a check of the
/// modification time sees the change even within the file system's time resolution.
fn write_later(file: &std::path::Path, text: &str) {
    std::fs::write(file, text).expect("write");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(file)
        .and_then(|f| f.set_modified(later))
        .expect("touch");
}

fn held(app: &App) -> Vec<bool> {
    app.set
        .guides
        .iter()
        .map(|g| !g.pending && !g.body.is_empty())
        .collect()
}

/// A folder's set holds the text of the guide on screen only: the others are let go as
/// the reader leaves them and after the whole set is read, and read again when opened.
#[test]
fn a_folder_holds_only_the_open_guides_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    long_guides(dir.path());
    let set = GuideSet::from_dir_heads(dir.path()).expect("loads");
    let mut app = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    app.resize(Rect::new(0, 0, 80, 24));
    assert_eq!(held(&app), [true, false, false]);
    app.open(1, None);
    assert_eq!(held(&app), [false, true, false], "the guide left is let go");
    assert!(app.set.guides[0].body.is_empty());

    // The whole set read elsewhere keeps no text; the open guide keeps its own.
    let read = GuideSet::from_dir_unheld(dir.path()).map_err(|e| e.to_string());
    assert!(
        read.as_ref()
            .is_ok_and(|s| s.guides.iter().all(|g| g.pending))
    );
    app.update(Msg::SetRead(read.map(Box::new)));
    assert_eq!(held(&app), [false, true, false]);
    assert!(app.status.is_none(), "a quiet swap: {:?}", app.status);

    // Opening a guide let go shows its text again.
    app.open(0, None);
    assert_eq!(held(&app), [true, false, false]);
    assert!(app.reader.doc.headings.iter().any(|h| h.text == "Alpha"));
    assert_eq!(app.reader.doc.tasks.len(), 1);

    // The catalog and the finder are built from the files, one guide at a time.
    app.settle();
    assert_eq!(app.checklists.catalog.as_ref().map(|c| c.len()), Some(2));
    assert!(app.guide_minutes(2).is_some());
    let ix = crate::app::finder::Indexes::build_with(&app.set, &app.parsed_docs());
    assert_eq!(held(&app), [true, false, false], "nothing read is kept");
    app.update(Action::Finder);
    app.update(Msg::Indexed(Box::new(ix)));
    let mut reads = Vec::new();
    for c in "zebra".chars() {
        let fx = app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
        reads.extend(fx.into_iter().filter_map(|e| match e {
            Effect::ReadPreview { guide, set } => Some((guide, set)),
            _ => None,
        }));
    }
    // The hit's guide is read elsewhere for the preview, once, not on the key.
    assert_eq!(
        reads.iter().map(|(g, _)| *g).collect::<Vec<_>>(),
        [2],
        "one read"
    );
    for (guide, set) in reads {
        let text = crate::app::finder::read_preview(&set, guide);
        app.update(Msg::PreviewRead(Box::new(text)));
    }
    let Some(Overlay::Finder(f)) = &app.overlay else {
        panic!("the finder is open");
    };
    assert_eq!(f.hits.first().map(|h| h.guide), Some(2), "{:?}", f.hits);
    // The preview shows the hit's lines, read for it; the set still holds one text.
    let lines = f.preview_lines(&app.set, 2);
    assert!(
        lines.iter().any(|(_, l)| l.contains("A rare zebra word.")),
        "{lines:?}"
    );
    assert_eq!(held(&app), [true, false, false]);
}

/// A guide let go and edited on disk since opens with its new text, and what was built
/// from the old one (items, facts, the finder's index) follows.
#[test]
fn a_guide_edited_after_it_was_let_go_opens_with_its_new_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_over_unheld_folder(dir.path());
    app.open(1, None);
    app.open(0, None);
    app.settle();
    let ix = crate::app::finder::Indexes::build_with(&app.set, &app.parsed_docs());
    app.update(Msg::Indexed(Box::new(ix)));
    assert_eq!(app.checklists.catalog.as_ref().map(|c| c.len()), Some(2));
    assert!(app.set.guides[1].pending);

    write_later(
        &dir.path().join("b.md"),
        "# Beta edited\n\n- [ ] two\n- [ ] three\n\nShort now.\n",
    );

    app.open(1, None);
    assert!(
        app.reader
            .doc
            .headings
            .iter()
            .any(|h| h.text == "Beta edited"),
        "{:?}",
        app.reader.doc.headings
    );
    assert_eq!(app.reader.doc.tasks.len(), 2);
    assert_eq!(app.checklists.catalog.as_ref().map(|c| c.len()), Some(3));
    assert_eq!(app.guide_minutes(1), Some(1));
    let fx = app.update(Msg::Resize(Rect::new(0, 0, 80, 24)));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Index { .. })),
        "the index is built again"
    );
}

/// A folder walked again after guides came and went keeps the open guide's text and
/// document, holding no other text.
#[test]
fn a_rescan_keeps_the_open_guides_text_and_no_other() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_over_unheld_folder(dir.path());
    app.open(2, None);
    let doc = Arc::clone(&app.reader.doc);
    std::fs::rename(dir.path().join("c.md"), dir.path().join("0-c.md")).expect("rename");
    std::fs::write(dir.path().join("d.md"), "# Delta\n").expect("write");
    let rescan = app.set.rescan().expect("walks").expect("a change");
    app.update(Msg::Rescanned {
        result: Ok(Some(Box::new(rescan))),
        took: std::time::Duration::ZERO,
    });
    let open = app.reader.guide;
    assert_eq!(app.set.guides[open].rel_path, "0-c.md");
    assert!(Arc::ptr_eq(&app.reader.doc, &doc), "the document is kept");
    let status = app.status.as_ref().map(|s| s.text.clone());
    assert_eq!(status.as_deref(), Some("1 guide renamed, 1 added"));
    for (g, guide) in app.set.guides.iter().enumerate() {
        assert_eq!(!guide.pending, g == open, "{}", guide.rel_path);
    }
    assert!(app.set.guides[open].body.contains("A rare zebra word."));
}

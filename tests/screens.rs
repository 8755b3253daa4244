//! Whole-screen snapshots of the reader on the bundled set, drawn into a TestBackend.

use std::sync::Arc;

use devguide::app::tree::NodeKind;
use devguide::app::{Action, App, Entry};
use devguide::content::GuideSet;
use devguide::highlight::{Done, Highlighter};
use devguide::keymap::Keymap;
use devguide::theme::{ColorMode, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

fn app(mode: ColorMode) -> App {
    App::new(
        GuideSet::bundled(),
        Theme::for_mode(mode),
        Keymap::default(),
    )
}

fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    app.update(devguide::app::Msg::Resize(Rect::new(0, 0, width, height)));
    // The run loop finishes layout in idle time; do the same so the screen is settled.
    app.settle();
    terminal
        .draw(|f| devguide::ui::draw(f, app))
        .expect("draws");
    terminal
}

#[test]
fn reader_80x24() {
    let mut a = app(ColorMode::None);
    insta::assert_snapshot!(draw(&mut a, 80, 24).backend());
}

#[test]
fn reader_120x40() {
    let mut a = app(ColorMode::None);
    insta::assert_snapshot!(draw(&mut a, 120, 40).backend());
}

#[test]
fn reader_40x12() {
    let mut a = app(ColorMode::None);
    insta::assert_snapshot!(draw(&mut a, 40, 12).backend());
}

#[test]
fn reader_1x1() {
    let mut a = app(ColorMode::None);
    insta::assert_snapshot!(draw(&mut a, 1, 1).backend());
}

#[test]
fn quick_reference_after_next_guide_80x24() {
    let mut a = app(ColorMode::None);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 80, 24)));
    a.update(Action::NextGuide);
    insta::assert_snapshot!(draw(&mut a, 80, 24).backend());
}

#[test]
fn help_overlay_80x24() {
    let mut a = app(ColorMode::None);
    a.update(Action::Help);
    insta::assert_snapshot!(draw(&mut a, 80, 24).backend());
}

#[test]
fn sidebar_focus_on_narrow_terminal_40x12() {
    let mut a = app(ColorMode::None);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 40, 12)));
    a.update(Action::FocusNext);
    insta::assert_snapshot!(draw(&mut a, 40, 12).backend());
}

fn key(app: &mut App, keys: &str) {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    for c in keys.chars() {
        let code = if c == '\t' {
            KeyCode::Tab
        } else {
            KeyCode::Char(c)
        };
        app.update(devguide::app::Msg::Key(KeyEvent::new(
            code,
            KeyModifiers::NONE,
        )));
    }
}

/// A docs tree in the sidebar: folder rows, one folded, same-named guides told apart by
/// the folder they sit under.
#[test]
fn folder_tree_with_a_folded_folder_100x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in [
        (
            "README.md",
            "# Team docs\n\nStart here.\n\n## Layout\n\nOne folder per area.\n",
        ),
        ("api/auth.md", "# Auth\n"),
        ("api/closures.md", "# Closures\n"),
        ("api/v2/errors.md", "# Errors\n"),
        ("book/closures.md", "# Closures\n"),
        ("book/intro.md", "# Intro\n"),
        ("ops/deploy.md", "# Deploy\n"),
        ("ops/rollback.md", "# Rollback\n"),
    ] {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, text).expect("write");
    }
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut a = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 100, 24)));
    // Into the sidebar, down to `ops/`, fold it, then up to `book/`.
    key(&mut a, "\tG");
    key(&mut a, "hhkkk");
    let selected = a.sidebar_entries()[a.sidebar_selected];
    let Entry::Folder(node) = selected else {
        panic!("a folder row is selected: {selected:?}");
    };
    assert!(
        matches!(a.tree.node(node).map(|n| &n.kind), Some(NodeKind::Folder(name)) if name == "book")
    );
    insta::assert_snapshot!(draw(&mut a, 100, 24).backend());
}

/// An mdBook in the sidebar: part titles that fold, chapters with sub-chapters that fold
/// and still open, a draft.
#[test]
fn book_parts_and_chapters_fold_100x24() {
    let book = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/book");
    let set = GuideSet::from_dir(&book).expect("the book fixture loads");
    let mut a = App::new(set, Theme::for_mode(ColorMode::None), Keymap::default());
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 100, 24)));
    // Fold everything, unfold the first part, then its first chapter.
    key(&mut a, "\t-");
    key(&mut a, "jjljl");
    let selected = a.sidebar_entries()[a.sidebar_selected];
    let Entry::Guide(g) = selected else {
        panic!("a chapter row is selected: {selected:?}");
    };
    assert_eq!(a.set.guides[g].title, "Getting Started");
    assert_eq!(a.reader.guide, 0, "unfolding opened nothing");
    insta::assert_snapshot!(draw(&mut a, 100, 24).backend());
}

#[test]
fn every_size_draws_without_panic() {
    let mut a = app(ColorMode::TrueColor);
    for w in [0u16, 1, 2, 3, 5, 10, 24, 59, 60, 61, 200] {
        for h in [0u16, 1, 2, 3, 7, 50] {
            draw(&mut a, w, h);
            a.update(Action::Bottom);
            draw(&mut a, w, h);
            a.update(Action::Help);
            draw(&mut a, w, h);
            a.update(Action::Cancel);
            a.update(Action::Top);
        }
    }
}

#[test]
fn colourless_theme_marks_selection_with_reverse_video() {
    let mut a = app(ColorMode::None);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 100, 30)));
    a.update(Action::NextLink);
    let t = draw(&mut a, 100, 30);
    let buf = t.backend().buffer();
    let reversed = buf
        .content()
        .iter()
        .filter(|c| c.modifier.contains(Modifier::REVERSED))
        .count();
    assert!(
        reversed >= "quick reference".len(),
        "selected link must be reverse video"
    );
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "no colour at all"
    );
}

#[test]
fn code_is_drawn_plain_then_highlighted_when_ready() {
    let mut a = app(ColorMode::TrueColor);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 100, 40)));
    a.update(Action::NextCode);
    let wanted = a.wanted_highlights();
    assert!(
        wanted.contains(&0),
        "the visible block is asked for: {wanted:?}"
    );
    let row_of = |t: &Terminal<TestBackend>| {
        let buf = t.backend().buffer();
        (0..40u16).find(|&y| {
            (0..100u16)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .contains("from netra_backend")
        })
    };
    let before = draw(&mut a, 100, 40);
    let y = row_of(&before).expect("code on screen");
    let colours = |t: &Terminal<TestBackend>| {
        let buf = t.backend().buffer();
        (0..100u16)
            .map(|x| buf[(x, y)].fg)
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    let plain = colours(&before);
    let code = &a.reader.doc.code_blocks[0];
    let theme = a.theme.clone();
    let hl = Highlighter::load()
        .highlight("python", &code.display, &theme)
        .map(Arc::new);
    a.highlights.insert(Done {
        key: (0, 0),
        result: hl,
    });
    let after = draw(&mut a, 100, 40);
    assert!(
        colours(&after) > plain,
        "highlighting adds colours: {} vs {plain}",
        colours(&after)
    );
}

#[test]
fn checklist_guide_with_gauge_and_selection_100x30() {
    let mut a = app(ColorMode::None);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 100, 30)));
    a.update(Action::NextGuide);
    a.update(Action::NextGuide);
    a.update(Action::NextTask);
    insta::assert_snapshot!(draw(&mut a, 100, 30).backend());
}

#[test]
fn migrations_panel_80x24() {
    let mut a = app(ColorMode::None);
    a.update(devguide::app::Msg::Resize(Rect::new(0, 0, 80, 24)));
    a.update(Action::Migrations);
    insta::assert_snapshot!(draw(&mut a, 80, 24).backend());
}

mod user_bugs {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use devguide::app::{Msg, Overlay};

    fn key(app: &mut App, code: KeyCode, mods: KeyModifiers) {
        app.update(Msg::Key(KeyEvent::new(code, mods)));
    }

    fn ch(app: &mut App, c: char) {
        key(app, KeyCode::Char(c), KeyModifiers::NONE);
    }

    fn screen(app: &mut App, w: u16, h: u16) -> String {
        let t = draw(app, w, h);
        let buf = t.backend().buffer();
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
            .collect()
    }

    fn help_scroll(app: &App) -> usize {
        match app.overlay {
            Some(Overlay::Help { scroll }) => scroll,
            _ => panic!("help is not open"),
        }
    }

    #[test]
    fn help_scrolls_with_every_scroll_key_and_is_sized_to_its_content() {
        let mut a = app(ColorMode::None);
        draw(&mut a, 100, 20);
        ch(&mut a, '?');
        let page = a.help_page();
        assert!(
            page.rect.width > 62,
            "sized to content: {}",
            page.rect.width
        );
        assert!(page.max_scroll() > 0);
        key(&mut a, KeyCode::Char('d'), KeyModifiers::CONTROL);
        let half = help_scroll(&a);
        assert!(half > 1, "Ctrl-d scrolls half a page: {half}");
        key(&mut a, KeyCode::PageDown, KeyModifiers::NONE);
        assert!(help_scroll(&a) > half, "PgDn scrolls on");
        ch(&mut a, 'G');
        assert_eq!(help_scroll(&a), page.max_scroll(), "G goes to the end");
        let end = screen(&mut a, 100, 20);
        assert!(end.contains("Mouse: wheel scrolls"), "{end}");
        ch(&mut a, 'g');
        assert_eq!(help_scroll(&a), 0, "g goes to the top");
        ch(&mut a, 'q');
        assert!(a.overlay.is_none(), "q closes help, never quits");
    }

    #[test]
    fn the_migrations_panel_scrolls_to_the_selection() {
        let mut a = app(ColorMode::None);
        let set = a.checklists.set_key.clone();
        for i in 0..40 {
            a.checklists
                .state
                .create_migration(&set, &format!("m{i:02}"), std::time::SystemTime::now())
                .expect("creates");
        }
        draw(&mut a, 80, 24);
        ch(&mut a, 'm');
        for code in [
            KeyCode::Home,
            KeyCode::Char('j'),
            KeyCode::Char('j'),
            KeyCode::Char('j'),
        ] {
            key(&mut a, code, KeyModifiers::NONE);
        }
        let s = screen(&mut a, 80, 24);
        assert!(
            s.contains("\u{25b8} m03"),
            "the selected migration is on screen:\n{s}"
        );
        for _ in 0..30 {
            ch(&mut a, 'j');
        }
        let s = screen(&mut a, 80, 24);
        assert!(s.contains("\u{25b8} m33"), "and follows it down:\n{s}");
    }

    #[test]
    fn the_name_prompt_footer_lists_the_prompts_keys_and_text_keys_rebind() {
        let mut table = devguide::keymap::default_overlay_bindings();
        for (m, act, keys) in &mut table {
            if *m == devguide::keymap::Mode::Text && *act == devguide::keymap::OverlayAction::Clear
            {
                *keys = vec![devguide::keymap::Key::parse("ctrl-w").expect("parses")];
            }
        }
        let mut km = Keymap::default();
        km.set_overlays(&table);
        let mut a = App::new(GuideSet::bundled(), Theme::for_mode(ColorMode::None), km);
        draw(&mut a, 80, 24);
        ch(&mut a, 'm');
        ch(&mut a, 'n');
        let s = screen(&mut a, 80, 24);
        assert!(s.contains("Enter save \u{b7} Esc cancel"), "{s}");
        assert!(!s.contains("n new"), "the panel's keys are not shown:\n{s}");
        // Ctrl-u no longer clears; Ctrl-w does, and letters are still typed.
        for c in "abc".chars() {
            ch(&mut a, c);
        }
        key(&mut a, KeyCode::Char('u'), KeyModifiers::CONTROL);
        let s = screen(&mut a, 80, 24);
        assert!(s.contains("abc"), "Ctrl-u is unbound:\n{s}");
        key(&mut a, KeyCode::Char('w'), KeyModifiers::CONTROL);
        ch(&mut a, 'z');
        let s = screen(&mut a, 80, 24);
        assert!(!s.contains("abc"), "Ctrl-w cleared the name:\n{s}");
        assert!(s.contains('z'), "and z was typed:\n{s}");
    }

    #[test]
    fn the_start_screen_scrolls_to_the_selection() {
        let mut a = app(ColorMode::None);
        draw(&mut a, 80, 14);
        ch(&mut a, 's');
        ch(&mut a, 'G');
        let last = a.set.guides.len();
        let s = screen(&mut a, 80, 14);
        assert!(
            s.contains(&format!("\u{25b8} {last}. ")),
            "the last guide is on screen:\n{s}"
        );
    }

    #[test]
    fn the_status_line_names_the_focus_and_mode() {
        let mut a = app(ColorMode::None);
        assert!(screen(&mut a, 100, 24).contains("READER"));
        key(&mut a, KeyCode::Tab, KeyModifiers::NONE);
        let s = screen(&mut a, 100, 24);
        assert!(s.contains("SIDEBAR") || s.contains("CHECKLIST"), "{s}");
        ch(&mut a, '/');
        assert!(screen(&mut a, 100, 24).contains("SEARCH"));
    }

    #[test]
    fn a_long_status_message_wraps_and_the_messages_overlay_has_it_all() {
        let mut a = app(ColorMode::None);
        let long = format!("{} the end of a long message", "word ".repeat(20));
        a.update(Msg::Report {
            text: long.clone(),
            error: true,
        });
        let s = screen(&mut a, 80, 24);
        assert!(s.contains("the end of a long message"), "{s}");
        ch(&mut a, 'M');
        let s = screen(&mut a, 80, 24);
        assert!(s.contains("MESSAGES") || s.contains("Messages"), "{s}");
        assert!(s.contains("the end of a long message"), "{s}");
    }

    #[test]
    fn a_frame_of_another_size_than_the_layout_draws_without_panic() {
        let mut a = app(ColorMode::None);
        a.update(Msg::Resize(Rect::new(0, 0, 120, 40)));
        for (w, h) in [(1, 1), (20, 5), (119, 39), (0, 0)] {
            let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
            t.draw(|f| devguide::ui::draw(f, &a)).expect("draws");
        }
    }
}

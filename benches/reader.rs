//! Budgets from the reader issue, measured on the bundled set and on a large real
//! document: the CommonMark spec concatenated ten times (about 2 MB, 50,000 lines).
//!
//! - first frame, bundled set: under 15 ms
//! - first frame, large document: under 40 ms
//! - a keypress (page down, `G`) on the large document redrawn: under 5 ms
//! - next guide, redrawn, in a set of 10,000 guides with a checklist item each (the
//!   checklist catalog built): under 50 ms
//! - a frame's draw work does not grow with the number of guides (10 vs 10,000)
//! - the sidebar tree: built once per set (10,000 guides in 100 folders); a frame and a
//!   fold drawn cost about what a flat set's frame does

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use devguide::app::{Action, App};
use devguide::content::GuideSet;
use devguide::keymap::Keymap;
use devguide::theme::{ColorMode, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

const W: u16 = 120;
const H: u16 = 40;

#[path = "support/spec.rs"]
mod spec;

/// The spec `times` over, written to a file (the reader opens files).
fn spec_doc(times: usize) -> Option<PathBuf> {
    let text = spec::spec_text(times)?;
    let path = std::env::temp_dir().join(format!("devguide-bench-spec-x{times}.md"));
    std::fs::write(&path, text).ok()?;
    Some(path)
}

fn large_doc() -> Option<PathBuf> {
    spec_doc(10)
}

/// Everything between "the set is loaded" and "the first frame is in the buffer".
fn first_frame(set: GuideSet) -> App {
    let mut app = App::new(
        set,
        Theme::for_mode(ColorMode::TrueColor),
        Keymap::default(),
    );
    let mut terminal = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    app.update(devguide::app::Msg::Resize(Rect::new(0, 0, W, H)));
    terminal
        .draw(|f| devguide::ui::draw(f, &app))
        .expect("draw");
    app
}

/// A set of `n` small guides with one checklist item each, its catalog built, laid out.
fn many_guides(n: usize) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..n {
        let body = format!(
            "# Guide {i}\n\nSome text about service {i}.\n\n## Steps\n\n- [ ] migrate service {i}\n"
        );
        std::fs::write(dir.path().join(format!("g{i:05}.md")), body).expect("write");
    }
    let set = GuideSet::from_dir(dir.path()).expect("loads");
    let mut app = App::new(
        set,
        Theme::for_mode(ColorMode::TrueColor),
        Keymap::default(),
    );
    let key = app.set.identity();
    let view = devguide::app::checklist::Checklists::new(
        key,
        devguide::checklist::State::default(),
        Some("m".into()),
        None,
        "m".into(),
    );
    app.attach_checklists(view, Vec::new());
    app.update(devguide::app::Msg::Resize(Rect::new(0, 0, W, H)));
    app.settle();
    (app, dir)
}

fn many(c: &mut Criterion) {
    let mut terminal = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    for n in [10, 10_000] {
        let (mut app, _dir) = many_guides(n);
        c.bench_function(&format!("draw/{n}_guides"), |b| {
            b.iter(|| {
                terminal
                    .draw(|f| devguide::ui::draw(f, &app))
                    .expect("draw");
            })
        });
        c.bench_function(&format!("keypress/next_guide_{n}_guides"), |b| {
            let mut forward = true;
            b.iter(|| {
                let action = if forward {
                    Action::NextGuide
                } else {
                    Action::PrevGuide
                };
                forward = !forward;
                app.update(action);
                app.update(devguide::app::Msg::Resize(Rect::new(0, 0, W, H)));
                terminal
                    .draw(|f| devguide::ui::draw(f, &app))
                    .expect("draw");
            })
        });
        app.update(Action::StartScreen);
        c.bench_function(&format!("draw/start_screen_{n}_guides"), |b| {
            b.iter(|| {
                terminal
                    .draw(|f| devguide::ui::draw(f, &app))
                    .expect("draw");
            })
        });
    }
}

/// `folders` folders of `per` guides each, in memory (the tree cares about paths only).
fn foldered_set(folders: usize, per: usize) -> GuideSet {
    let guides = (0..folders)
        .flat_map(|f| (0..per).map(move |g| (f, g)))
        .map(|(f, g)| {
            let body = format!("# Guide {f}.{g}\n\nText.\n\n## Steps\n\nMore.\n");
            devguide::content::guide_from_bytes(&format!("f{f:03}/g{g:03}.md"), body.as_bytes())
        })
        .collect();
    GuideSet {
        origin: devguide::content::Origin::Bundled,
        guides,
        skipped: Vec::new(),
        summary: None,
        root: None,
    }
}

/// The sidebar tree on 10,000 guides in 100 folders: building it (once per set or
/// rescan), a frame with the sidebar focused, and a fold and unfold of a folder, drawn.
fn tree(c: &mut Criterion) {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let set = foldered_set(100, 100);
    c.bench_function("tree/build_10000_guides_100_folders", |b| {
        b.iter(|| black_box(devguide::app::tree::GuideTree::build(&set.guides)))
    });
    // A hostile shape: 1,500 nested folders with a guide on each level (paths up to 15 KB).
    let mut path = String::new();
    let deep: Vec<_> = (0..1500)
        .map(|i| {
            path.push_str(&format!("level{i:04}/"));
            devguide::content::guide_from_bytes(&format!("{path}x.md"), b"# x\n")
        })
        .collect();
    c.bench_function("tree/build_1500_levels_a_guide_each", |b| {
        b.iter(|| black_box(devguide::app::tree::GuideTree::build(&deep)))
    });
    let mut app = App::new(
        set,
        Theme::for_mode(ColorMode::TrueColor),
        Keymap::default(),
    );
    app.update(devguide::app::Msg::Resize(Rect::new(0, 0, W, H)));
    app.settle();
    let key = |code| devguide::app::Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    app.update(key(KeyCode::Tab));
    // Half way down: a folder row in the middle of the set.
    while app.sidebar_selected < 5_000 {
        app.update(Action::HalfPageDown);
    }
    while !matches!(
        app.sidebar_entries().get(app.sidebar_selected),
        Some(devguide::app::Entry::Folder(_))
    ) {
        app.update(Action::ScrollUp);
    }
    let mut terminal = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    c.bench_function("draw/10000_guides_in_folders", |b| {
        b.iter(|| {
            terminal
                .draw(|f| devguide::ui::draw(f, &app))
                .expect("draw");
        })
    });
    c.bench_function("keypress/fold_and_unfold_10000_guides", |b| {
        b.iter(|| {
            for k in ['h', 'l'] {
                app.update(key(KeyCode::Char(k)));
                terminal
                    .draw(|f| devguide::ui::draw(f, &app))
                    .expect("draw");
            }
        })
    });
    c.bench_function("keypress/fold_all_unfold_all_10000_guides", |b| {
        b.iter(|| {
            for k in ['-', '='] {
                app.update(key(KeyCode::Char(k)));
                terminal
                    .draw(|f| devguide::ui::draw(f, &app))
                    .expect("draw");
            }
        })
    });
}

fn benches(c: &mut Criterion) {
    c.bench_function("first_frame/bundled", |b| {
        b.iter(|| black_box(first_frame(GuideSet::bundled())))
    });

    let Some(path) = large_doc() else {
        eprintln!("large-document benches skipped: ../shared/corpus is missing");
        return;
    };
    c.bench_function("first_frame/large_2mb", |b| {
        b.iter(|| {
            black_box(first_frame(
                GuideSet::from_file(&path).expect("large doc loads"),
            ))
        })
    });

    let mut app = first_frame(GuideSet::from_file(&path).expect("large doc loads"));
    // What the run loop does after the first frame: the whole guide, fully laid out.
    app.settle();
    app.settle();
    let mut terminal = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    c.bench_function("keypress/page_down_large", |b| {
        b.iter(|| {
            app.update(Action::PageDown);
            app.update(devguide::app::Msg::Resize(Rect::new(0, 0, W, H)));
            terminal
                .draw(|f| devguide::ui::draw(f, &app))
                .expect("draw");
        })
    });
    c.bench_function("keypress/bottom_then_top_large", |b| {
        b.iter(|| {
            app.update(Action::Bottom);
            app.update(devguide::app::Msg::Resize(Rect::new(0, 0, W, H)));
            terminal
                .draw(|f| devguide::ui::draw(f, &app))
                .expect("draw");
            app.update(Action::Top);
        })
    });
    c.bench_function("layout/large_2mb_full", |b| {
        let doc = devguide::doc::parse(&std::fs::read_to_string(&path).expect("read"));
        let theme = Theme::for_mode(ColorMode::TrueColor);
        b.iter(|| {
            let mut l = devguide::layout::Layout::new(100);
            l.finish(&doc, &theme);
            black_box(l.rows.len())
        })
    });
}

/// `/` per keystroke and resize at the last line, at 98k and 392k lines: each measured
/// to a drawn frame.
fn growth(c: &mut Criterion) {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    for (times, label) in [(10, "98k"), (40, "392k")] {
        let Some(path) = spec_doc(times) else {
            eprintln!("growth benches skipped: the shared corpus is missing");
            return;
        };
        let mut app = first_frame(GuideSet::from_file(&path).expect("loads"));
        app.settle();
        let mut terminal = Terminal::new(TestBackend::new(W, H)).expect("terminal");
        let mut draw = |app: &App| {
            terminal.draw(|f| devguide::ui::draw(f, app)).expect("draw");
        };
        app.update(Action::Bottom);
        // Resize at the last line: narrower, drawn, then back, drawn.
        c.bench_function(&format!("resize/at_last_line_{label}"), |b| {
            b.iter(|| {
                app.update(devguide::app::Msg::Resize(Rect::new(0, 0, W - 20, H)));
                draw(&app);
                app.update(devguide::app::Msg::Resize(Rect::new(0, 0, W, H)));
                draw(&app);
            })
        });
        app.update(devguide::app::Msg::Key(key(KeyCode::Char('/'))));
        for ch in "match".chars() {
            app.update(devguide::app::Msg::Key(key(KeyCode::Char(ch))));
        }
        // One letter typed (a refinement) and erased (a fresh scan), each drawn.
        c.bench_function(&format!("search/type_and_erase_a_letter_{label}"), |b| {
            b.iter(|| {
                app.update(devguide::app::Msg::Key(key(KeyCode::Char('i'))));
                draw(&app);
                app.update(devguide::app::Msg::Key(key(KeyCode::Backspace)));
                draw(&app);
            })
        });
        app.update(devguide::app::Msg::Key(key(KeyCode::Esc)));
        c.bench_function(&format!("search/open_and_first_letter_{label}"), |b| {
            b.iter(|| {
                app.update(devguide::app::Msg::Key(key(KeyCode::Char('/'))));
                app.update(devguide::app::Msg::Key(key(KeyCode::Char('m'))));
                draw(&app);
                app.update(devguide::app::Msg::Key(key(KeyCode::Esc)));
            })
        });
    }
}

criterion_group! {
    name = reader;
    config = Criterion::default().sample_size(30);
    targets = benches, many, growth, tree
}
criterion_main!(reader);

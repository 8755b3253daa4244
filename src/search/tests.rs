use super::*;
use crate::content::Guide;

fn guide(id: &str, title: &str, body: &str) -> Guide {
    let mut g = crate::content::guide_from_bytes(&format!("{id}.md"), body.as_bytes());
    g.id = id.into();
    g.title = title.into();
    g
}

fn index_of(guides: &[Guide]) -> Index {
    let docs: Vec<Doc> = guides.iter().map(|g| doc::parse(&g.body)).collect();
    Index::from_docs(
        guides
            .iter()
            .zip(&docs)
            .enumerate()
            .map(|(i, (g, d))| (i, g, d)),
    )
}

#[test]
fn a_heading_beats_body_text() {
    let g = guide(
        "a",
        "A",
        "# A\n\nThe deployment steps are below.\n\n## Deployment\n\nText.\n",
    );
    let hits = index_of(&[g]).query("deployment", 10);
    assert_eq!(hits[0].kind, HitKind::Heading, "{hits:?}");
    assert_eq!(hits[0].text, "Deployment");
    assert_eq!(hits[1].kind, HitKind::Body);
}

#[test]
fn code_lines_rank_between_headings_and_body() {
    let g = guide(
        "a",
        "A",
        "# A\n\nCall retry here.\n\n```python\nretry()\n```\n\n## Retry\n",
    );
    let kinds: Vec<HitKind> = index_of(&[g])
        .query("retry", 10)
        .iter()
        .map(|h| h.kind)
        .collect();
    assert_eq!(kinds, [HitKind::Heading, HitKind::Code, HitKind::Body]);
}

#[test]
fn exact_beats_prefix_beats_fuzzy_whatever_the_kind() {
    let g = guide(
        "a",
        "A",
        "# Sockets overview\n\n## Websocket manager\n\nUse the socket.\n\n## Sxoxcxkxext\n",
    );
    let hits = index_of(&[g]).query("socket", 10);
    let texts: Vec<&str> = hits.iter().map(|h| h.text.as_str()).collect();
    // Whole word in body text, then prefixes/substrings in headings, then fuzzy.
    assert_eq!(texts[0], "Use the socket.");
    assert_eq!(texts.last(), Some(&"Sxoxcxkxext"), "{texts:?}");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn ties_keep_guide_order_then_position() {
    let a = guide("a", "A", "# A\n\n## Setup\n\n## Setup\n");
    let b = guide("b", "B", "# B\n\n## Setup\n");
    let hits = index_of(&[a, b]).query("setup", 10);
    let places: Vec<(usize, &str)> = hits
        .iter()
        .map(|h| (h.guide, h.anchor.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(places, [(0, "setup"), (0, "setup-1"), (1, "setup")]);
}

#[test]
fn smart_case_and_multiple_terms() {
    let g = guide(
        "a",
        "A",
        "# A\n\n```python\nmanager = WebSocketManager()\nwebsocketmanager = 1\n```\n",
    );
    let idx = index_of(&[g]);
    assert_eq!(idx.query("websocketmanager", 10).len(), 2);
    let sensitive = idx.query("WebSocketManager", 10);
    assert_eq!(sensitive.len(), 1);
    assert_eq!(sensitive[0].ranges, vec![10..26]);
    let both = idx.query("manager web", 10);
    assert_eq!(both.len(), 2);
    assert!(idx.query("manager zebra", 10).is_empty());
}

#[test]
fn code_hits_carry_block_code_line_and_file_line() {
    let mut g = guide(
        "a",
        "A",
        "# A\n\nText.\n\n```rust\nfn main() {}\nlet x = 1;\n```\n",
    );
    g.body_line = 5; // four lines of front matter above the body
    let hits = index_of(&[g]).query("let x", 10);
    let h = &hits[0];
    assert_eq!((h.kind, h.block, h.code_line), (HitKind::Code, 2, Some(1)));
    assert_eq!(h.line, 5 + 6);
    assert_eq!(h.anchor.as_deref(), Some("a"));
}

#[test]
fn title_is_listed_once() {
    let g = guide("a", "Guide Title", "# Guide Title\n\nBody.\n");
    let hits = index_of(&[g]).query("guide title", 10);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, HitKind::Title);
    assert_eq!(hits[0].anchor.as_deref(), Some("guide-title"));
}

#[test]
fn hostile_text_is_sanitised_and_ranges_stay_on_char_boundaries() {
    let g = guide("a", "A", "# A\n\nÄrger &#27;[31m über Straße.\n");
    let idx = index_of(&[g]);
    let hits = idx.query("straße", 10);
    assert_eq!(hits.len(), 1);
    assert!(!hits[0].text.chars().any(char::is_control));
    for r in &hits[0].ranges {
        assert!(hits[0].text.is_char_boundary(r.start) && hits[0].text.is_char_boundary(r.end));
    }
    assert_eq!(idx.query("ärger", 10).len(), 1);
}

#[test]
fn empty_query_and_zero_limit_return_nothing() {
    let idx = index_of(&[guide("a", "A", "# A\n")]);
    assert!(idx.query("  ", 10).is_empty());
    assert!(idx.query("a", 0).is_empty());
}

#[test]
fn limit_keeps_the_best() {
    let mut body = String::from("# A\n\n");
    for i in 0..50 {
        body.push_str(&format!("Paragraph {i} mentions token.\n\n"));
    }
    body.push_str("## token\n");
    let hits = index_of(&[guide("a", "A", &body)]).query("token", 3);
    assert_eq!(hits.len(), 3);
    assert_eq!(hits[0].kind, HitKind::Heading);
}

#[test]
fn index_is_send_and_bundled_set_finds_imports() {
    fn is_send<T: Send + 'static>(_: &T) {}
    let idx = Index::build(&GuideSet::bundled());
    is_send(&idx);
    let hits = idx.query("get_websocket_manager", 5);
    assert!(
        hits[..4].iter().all(|h| h.kind == HitKind::Code),
        "{hits:?}"
    );
    assert_eq!(hits[4].kind, HitKind::Body);
    let hits = idx.query("deprecated", 3);
    assert_eq!(hits[0].text, "Deprecated patterns");
}

#[test]
fn preview_shows_the_lines_around_a_hit() {
    let g = guide("a", "A", "# A\n\none\ntwo\nthree\n");
    let idx = index_of(std::slice::from_ref(&g));
    let hit = &idx.query("two", 1)[0];
    let lines = preview(&g, hit, 1);
    // A body hit points at its paragraph's first line.
    assert_eq!(hit.line, 3);
    assert_eq!(lines.first().map(|l| l.0), Some(2));
    assert!(lines.iter().any(|(_, t)| t == "one"));
}

/// The index keeps its text once, folded, with the capitals put back for display and
/// case-sensitive queries: hits read exactly as written, accents and characters whose
/// lowercase differs in length included, and a query with a capital matches only that
/// case.
#[test]
fn hits_read_as_written_from_the_folded_text() {
    let body = "# Straße Ünïcode İstanbul\n\nThe WebSocketManager opens. \
                websocketmanager in lower case.\n\n```python\nfrom App.Core import WebSocketManager\n```\n";
    let ix = index_of(&[guide("a", "Grüße", body)]);
    let texts = |q: &str| -> Vec<String> { ix.query(q, 20).into_iter().map(|h| h.text).collect() };
    assert_eq!(texts("ünïcode"), ["Straße Ünïcode İstanbul"]);
    assert_eq!(texts("İstanbul"), ["Straße Ünïcode İstanbul"]);
    assert_eq!(texts("grüße"), ["Grüße"]);
    let lower = texts("websocketmanager");
    assert_eq!(lower.len(), 3, "{lower:?}");
    assert!(lower.contains(&"from App.Core import WebSocketManager".to_string()));
    assert!(lower.contains(&"The WebSocketManager opens.".to_string()));
    // A capital makes the query case-sensitive: the all-lowercase line drops out.
    let exact = texts("WebSocketManager");
    assert_eq!(exact.len(), 2, "{exact:?}");
    assert!(exact.iter().all(|t| t.contains("WebSocketManager")));
    assert!(texts("WEBSOCKETMANAGER").is_empty());
    // Ranges point into the text as written.
    let hit = &ix.query("core", 1)[0];
    assert_eq!(&hit.text[hit.ranges[0].clone()], "Core");
    // The camel-case hump still ranks as a word start (tier read from the capitals).
    let hit = &ix.query("socket", 1)[0];
    assert!(hit.text.contains("WebSocketManager"), "{hit:?}");
}

/// Entries are packed (their guide found from where each guide's entries start, their
/// kind beside their length): hits still name the right guide and kind, a guide without
/// entries in between included.
#[test]
fn packed_entries_keep_their_guide_kind_and_text() {
    assert_eq!(std::mem::size_of::<Entry>(), 24, "an entry stays small");
    let guides = [
        guide("a", "Alpha", "# Alpha\n\nThe needle is here.\n"),
        guide("empty", "", ""),
        guide(
            "c",
            "Gamma",
            "# Gamma\n\n## Needle heading\n\n```sh\nneedle --now\n```\n",
        ),
    ];
    let hits = index_of(&guides).query("needle", 10);
    let got: Vec<(usize, HitKind, &str)> = hits
        .iter()
        .map(|h| (h.guide, h.kind, h.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, HitKind::Heading, "Needle heading"),
            (2, HitKind::Code, "needle --now"),
            (0, HitKind::Body, "The needle is here."),
        ]
    );
}

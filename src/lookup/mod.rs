//! Symbol lookup: which import to write for a name, answered from the guide set's own
//! code blocks.
//!
//! [`Catalog::build`] reads every code block once and records each import it holds as a
//! [`Form`]: one single-line import per name, classified by what the guide says about
//! it. [`Catalog::lookup`] then groups the forms binding a symbol into canonical,
//! deprecated, problematic and unclassified.
//!
//! Classification, first rule that decides:
//! 1. a marker comment (`# CANONICAL`, `# NEW`, `# DEPRECATED`, `# OLD`, `# PROBLEMATIC`)
//!    earlier in the same block: it covers the lines after it until the next marker;
//! 2. the words of the enclosing headings, nearest first ([`classify::words_class`]);
//! 3. the words of the paragraph just before the block, then of the paragraph opening
//!    each enclosing section, nearest first ("import them all from the canonical module").
//!
//! Only Python imports are classified. Import lines of other languages (`use`, `import`,
//! `#include`, ...) are returned as written, unclassified.
//!
//! A form's `reason` is the guide's own short statement about that line: the marker's
//! text after the colon (`# DEPRECATED: Still works but ...`) and the comment on the
//! import line itself (`get_websocket_manager,  # Backward compatibility function`).
//! Its `notes` are the longer explanation around the block: comment lines right below the
//! import, the paragraph leading into the block, and the paragraphs and list items after
//! it up to the next heading or code block.

pub mod classify;
pub mod python;

use std::collections::HashSet;

use serde::Serialize;

use crate::content::{Guide, GuideSet};
use crate::doc::{self, Doc, Leaf};
use crate::sanitize::sanitize_line;

pub use classify::{Basis, Class};

/// At most this many notes per form: the explanation, not the whole section.
const MAX_NOTES: usize = 6;

/// One way of importing a symbol, as a guide writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Form {
    /// A single-line import of just this symbol, ready to paste (for other languages, the
    /// line as written).
    pub import_line: String,
    pub class: Option<Class>,
    /// The rule that classified it.
    pub basis: Option<Basis>,
    /// The guide's short reason: marker text and the line's own comment.
    pub reason: Option<String>,
    /// The guide's explanation around the snippet.
    pub notes: Vec<String>,
    /// The comment written on the import line itself, here or where the guides repeat
    /// the same line (`get_websocket_manager,  # Backward compatibility function`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
    /// Index into [`GuideSet::guides`].
    #[serde(skip)]
    pub guide: usize,
    pub guide_id: String,
    /// Anchor of the nearest heading above the snippet.
    pub anchor: Option<String>,
    /// Block index of the code block in the guide's [`Doc`].
    #[serde(skip)]
    pub block: usize,
    /// 1-based line of the guide's file where the name is written.
    pub line: u32,
    /// The code block's language, as written.
    pub lang: Option<String>,
    /// Names a lookup finds this form under.
    #[serde(skip)]
    pub binds: Vec<String>,
}

impl Form {
    /// Where the form is written: `guide#anchor` (or just `guide`).
    pub fn location(&self) -> String {
        match &self.anchor {
            Some(a) => format!("{}#{a}", self.guide_id),
            None => self.guide_id.clone(),
        }
    }
}

/// Everything the guide set says about one symbol. Each list is in guide order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub symbol: String,
    pub canonical: Vec<Form>,
    pub deprecated: Vec<Form>,
    pub problematic: Vec<Form>,
    pub unclassified: Vec<Form>,
}

impl Answer {
    pub fn is_empty(&self) -> bool {
        self.canonical.is_empty()
            && self.deprecated.is_empty()
            && self.problematic.is_empty()
            && self.unclassified.is_empty()
    }

    /// The lists in the order they are shown, with their class names.
    pub fn groups(&self) -> [(&'static str, &[Form]); 4] {
        [
            ("canonical", &self.canonical),
            ("deprecated", &self.deprecated),
            ("problematic", &self.problematic),
            ("unclassified", &self.unclassified),
        ]
    }
}

/// Every import written in a guide set's code blocks, classified. Build once, look up
/// many symbols.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    forms: Vec<Form>,
}

impl Catalog {
    /// Parses every guide of the set and collects its imports.
    pub fn build(set: &GuideSet) -> Catalog {
        Catalog::build_with_docs(set).0
    }

    /// As [`Catalog::build`], also handing back the parsed documents (the scan rules read
    /// advice from them).
    /// A guide whose text the set does not hold is read from its file for its document.
    pub fn build_with_docs(set: &GuideSet) -> (Catalog, Vec<Doc>) {
        let mut forms = Vec::new();
        let docs: Vec<Doc> = (0..set.guides.len())
            .map(|g| {
                let guide = set.whole_or_held(g);
                let doc = doc::parse(&guide.body);
                guide_forms(g, &guide, &doc, &mut forms);
                doc
            })
            .collect();
        (Catalog::from_forms(forms), docs)
    }

    /// Collects imports from documents already parsed: `(guide index, guide, doc)`.
    pub fn from_docs<'a>(docs: impl IntoIterator<Item = (usize, &'a Guide, &'a Doc)>) -> Catalog {
        let mut forms = Vec::new();
        for (gi, guide, doc) in docs {
            guide_forms(gi, guide, doc, &mut forms);
        }
        Catalog::from_forms(forms)
    }

    /// The catalog of forms gathered with [`guide_forms`], guide by guide in set order
    /// (so a caller can let each document go once its imports are taken).
    pub fn from_forms(forms: Vec<Form>) -> Catalog {
        Catalog {
            forms: dedupe(forms),
        }
    }

    /// Every form, in guide order.
    pub fn forms(&self) -> &[Form] {
        &self.forms
    }

    /// The forms binding exactly `symbol` (case-sensitive, as Python is).
    pub fn lookup(&self, symbol: &str) -> Answer {
        self.lookup_by(symbol, |b| b == symbol)
    }

    /// The forms binding `symbol` in any case: what a lookup falls back to when nothing
    /// matches exactly (`websocketmanager` finds `WebSocketManager`).
    pub fn lookup_ignoring_case(&self, symbol: &str) -> Answer {
        let wanted = symbol.to_lowercase();
        self.lookup_by(symbol, |b| b.to_lowercase() == wanted)
    }

    fn lookup_by(&self, symbol: &str, binds: impl Fn(&str) -> bool) -> Answer {
        let mut answer = Answer {
            symbol: symbol.to_string(),
            ..Answer::default()
        };
        for f in self
            .forms
            .iter()
            .filter(|f| f.binds.iter().any(|b| binds(b)))
        {
            let list = match f.class {
                Some(Class::Canonical) => &mut answer.canonical,
                Some(Class::Deprecated) => &mut answer.deprecated,
                Some(Class::Problematic) => &mut answer.problematic,
                None => &mut answer.unclassified,
            };
            list.push(f.clone());
        }
        answer
    }

    /// Up to `n` known names close to `symbol`: same name in another case, one containing
    /// the other, or a small edit distance; closest first.
    pub fn near(&self, symbol: &str, n: usize) -> Vec<String> {
        let wanted = symbol.to_lowercase();
        let mut names: Vec<&str> = self
            .forms
            .iter()
            .flat_map(|f| f.binds.iter().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        let budget = (wanted.chars().count() / 3).max(2);
        let mut scored: Vec<(usize, &str)> = names
            .into_iter()
            .filter(|name| *name != symbol)
            .filter_map(|name| {
                let lower = name.to_lowercase();
                let score = if lower == wanted {
                    0
                } else if lower.contains(&wanted) || (wanted.len() >= 3 && wanted.contains(&lower))
                {
                    1
                } else {
                    let d = levenshtein(&lower, &wanted);
                    if d > budget {
                        return None;
                    }
                    1 + d
                };
                Some((score, name))
            })
            .collect();
        scored.sort();
        scored
            .into_iter()
            .take(n)
            .map(|(_, s)| s.to_string())
            .collect()
    }
}

/// Looks `symbol` up in a whole guide set (parses it; keep a [`Catalog`] for repeats).
/// Every import form of one parsed guide, appended to `out` (before the set-wide
/// de-duplication [`Catalog::from_forms`] does).
pub fn guide_forms(gi: usize, guide: &Guide, doc: &Doc, out: &mut Vec<Form>) {
    for code in &doc.code_blocks {
        block_forms(gi, guide, doc, code, out);
    }
}

pub fn lookup(set: &GuideSet, symbol: &str) -> Answer {
    Catalog::build(set).lookup(symbol)
}

fn is_python(lang: Option<&str>) -> bool {
    match lang {
        None => true,
        Some(l) => matches!(
            l.to_ascii_lowercase().as_str(),
            "python" | "py" | "python3" | "py3" | "ipython" | "pyi"
        ),
    }
}

/// An import line of another language (Rust, JS/TS, Java, Go, C, C#...).
fn is_foreign_import(line: &str) -> bool {
    let t = line.trim_start();
    [
        "use ",
        "pub use ",
        "pub(crate) use ",
        "import ",
        "export ",
        "#include",
        "using ",
        "extern crate ",
        "require ",
    ]
    .iter()
    .any(|p| t.starts_with(p))
        || t.contains("require(")
}

/// The class a block's context gives it when no marker applies: headings first, then
/// introducing paragraphs.
fn context_class(doc: &Doc, block: usize) -> Option<(Class, Basis)> {
    let chain = heading_chain(doc, block);
    for &h in &chain {
        if let Some(c) = classify::words_class(&doc.headings[h].text) {
            return Some((c, Basis::Heading));
        }
    }
    let lead_in = block.checked_sub(1).and_then(|b| paragraph_text(doc, b));
    let openings = chain
        .iter()
        .filter_map(|&h| paragraph_text(doc, doc.headings[h].block + 1));
    lead_in
        .into_iter()
        .chain(openings)
        .find_map(|t| classify::words_class(&t))
        .map(|c| (c, Basis::Paragraph))
}

/// The nearest heading at or above `block`, then each enclosing (higher-level) heading.
fn heading_chain(doc: &Doc, block: usize) -> Vec<usize> {
    let Some(nearest) = doc.headings.iter().rposition(|h| h.block <= block) else {
        return Vec::new();
    };
    let mut chain = vec![nearest];
    let mut level = doc.headings[nearest].level;
    for j in (0..nearest).rev() {
        if doc.headings[j].level < level {
            level = doc.headings[j].level;
            chain.push(j);
        }
    }
    chain
}

fn paragraph_text(doc: &Doc, block: usize) -> Option<String> {
    match &doc.blocks.get(block)?.leaf {
        Leaf::Paragraph(inlines) => {
            let text = doc.joined(inlines);
            Some(sanitize_line(text.trim()))
        }
        _ => None,
    }
}

/// The explanation around a code block: the paragraph leading into it, then paragraphs
/// and list items after it up to the next heading or code block (lead-ins such as
/// "Reasons to prefer it:" are left out).
fn block_notes(doc: &Doc, block: usize) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(t) = block.checked_sub(1).and_then(|b| paragraph_text(doc, b)) {
        notes.push(t.trim_end_matches(':').trim().to_string());
    }
    for b in block + 1..doc.blocks.len() {
        if notes.len() >= MAX_NOTES {
            break;
        }
        match &doc.blocks[b].leaf {
            Leaf::Heading { .. } | Leaf::Code(_) => break,
            Leaf::Paragraph(_) => {
                if let Some(t) = paragraph_text(doc, b)
                    && !t.ends_with(':')
                    && !t.is_empty()
                {
                    notes.push(t);
                }
            }
            _ => {}
        }
    }
    notes
}

fn block_forms(gi: usize, guide: &Guide, doc: &Doc, code: &doc::CodeBlock, out: &mut Vec<Form>) {
    let Some(block) = doc.blocks.get(code.block) else {
        return;
    };
    let lines: Vec<&str> = code.display.lines().collect();
    let file_line = |k: usize| (guide.body_line as u32 + block.line).saturating_add(k as u32);
    let anchor = heading_chain(doc, code.block)
        .first()
        .map(|&h| doc.headings[h].anchor.clone());
    let base = |import_line: String, k: usize, binds: Vec<String>| Form {
        import_line,
        class: None,
        basis: None,
        reason: None,
        notes: Vec::new(),
        caveat: None,
        guide: gi,
        guide_id: guide.id.clone(),
        anchor: anchor.clone(),
        block: code.block,
        line: file_line(k),
        lang: code.lang.as_deref().map(str::to_string),
        binds,
    };
    if !is_python(code.lang.as_deref()) {
        for (k, l) in lines.iter().enumerate() {
            if is_foreign_import(l) {
                let binds = l
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect();
                out.push(base(sanitize_line(l.trim()), k, binds));
            }
        }
        return;
    }
    let imports = python::parse_imports(&code.display);
    if imports.is_empty() {
        return;
    }
    // The marker in force on each line.
    let mut in_force: Vec<Option<(Class, Option<String>)>> = Vec::with_capacity(lines.len());
    let mut current = None;
    for l in &lines {
        if let Some(m) = classify::marker(l) {
            current = Some(m);
        }
        in_force.push(current.clone());
    }
    let context = context_class(doc, code.block);
    let around = block_notes(doc, code.block);
    for imp in imports {
        let (class, basis, marker_reason) = match in_force.get(imp.line).cloned().flatten() {
            Some((c, r)) => (Some(c), Some(Basis::Marker), r),
            None => match context {
                Some((c, b)) => (Some(c), Some(b), None),
                None => (None, None, None),
            },
        };
        let reason: Vec<String> = marker_reason
            .into_iter()
            .chain(imp.comment.clone())
            .collect();
        let mut notes: Vec<String> = lines
            .iter()
            .skip(imp.line + 1)
            .map(|l| l.trim())
            .take_while(|l| l.starts_with('#') && classify::marker(l).is_none())
            .map(|l| sanitize_line(l.trim_start_matches('#').trim()))
            .collect();
        notes.extend(around.iter().cloned());
        notes.truncate(MAX_NOTES);
        let binds = imp.binds().into_iter().map(str::to_string).collect();
        let mut form = base(sanitize_line(&imp.statement()), imp.line, binds);
        form.class = class;
        form.basis = basis;
        form.reason = (!reason.is_empty()).then(|| sanitize_line(&reason.join("; ")));
        form.notes = notes;
        form.caveat = imp.comment.as_deref().map(sanitize_line);
        out.push(form);
    }
}

/// Keeps the first of identical forms (same line, same class), taking the caveat of a
/// later one when it has none (a canonical line repeated in a backward-compatibility
/// block keeps that block's comment), and drops an unclassified form when the same line is classified
/// elsewhere.
fn dedupe(forms: Vec<Form>) -> Vec<Form> {
    let classified: HashSet<String> = forms
        .iter()
        .filter(|f| f.class.is_some())
        .map(|f| f.import_line.clone())
        .collect();
    let mut kept: Vec<Form> = Vec::new();
    let mut index: std::collections::HashMap<(String, Option<Class>), usize> =
        std::collections::HashMap::new();
    for f in forms {
        if f.class.is_none() && classified.contains(&f.import_line) {
            continue;
        }
        match index.get(&(f.import_line.clone(), f.class)) {
            Some(&i) => {
                let first = &mut kept[i];
                if first.caveat.is_none() {
                    first.caveat = f.caveat;
                }
            }
            None => {
                index.insert((f.import_line.clone(), f.class), kept.len());
                kept.push(f);
            }
        }
    }
    kept
}

/// Edit distance over characters, two rows.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests;

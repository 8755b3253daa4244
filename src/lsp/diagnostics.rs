//! Findings as LSP diagnostics: deprecated as warnings, problematic as errors, in the
//! guide's words, with the guide section as the code and a link to it.

use std::path::Path;

use lsp_types::{CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString};

use crate::lookup::Class;
use crate::sanitize::sanitize_line;

use super::documents;
use super::findings::{self, Finding};
use super::guides::Loaded;
use super::uri;

pub const SOURCE: &str = "devguide";

/// The diagnostic for one finding in `text`.
pub fn diagnostic(text: &str, f: &Finding, guides: &Loaded) -> Diagnostic {
    Diagnostic {
        range: documents::range(text, f.range.clone()),
        severity: Some(match f.class {
            Class::Problematic => DiagnosticSeverity::ERROR,
            _ => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(sanitize_line(&f.location))),
        code_description: section_uri(guides, f).map(|href| CodeDescription { href }),
        source: Some(SOURCE.into()),
        message: message(f),
        related_information: None,
        tags: (f.class == Class::Deprecated).then(|| vec![lsp_types::DiagnosticTag::DEPRECATED]),
        data: None,
    }
}

/// `deprecated import [TYPE_CHECKING]: <reason>`, then the lines `devguide scan` prints
/// under a finding (`use: …`, `also: …`); the section is the diagnostic's code, so its
/// `see:` line is left out. Every part sanitised.
pub fn message(f: &Finding) -> String {
    let mut msg = format!("{} import", f.class.as_str());
    if let Some(c) = f.context {
        msg.push_str(&format!(" [{c}]"));
    }
    let mut lines = f
        .explanation
        .iter()
        .filter(|l| !l.starts_with("see: "))
        .peekable();
    if let Some(why) = lines.peek().and_then(|l| l.strip_prefix("why: ")) {
        msg.push_str(": ");
        msg.push_str(&sanitize_line(why));
        lines.next();
    }
    for l in lines {
        msg.push('\n');
        msg.push_str(&sanitize_line(l));
    }
    msg
}

/// Where the guide says it: the guide's file at the heading when it is on disk, else a
/// `devguide:` URI naming the section.
pub fn section_uri(guides: &Loaded, f: &Finding) -> Option<lsp_types::Uri> {
    let (id, anchor) = f.guide_and_anchor();
    match guides.set.find(id).and_then(|g| guides.guide_path(g)) {
        Some(p) => uri::from_path(&p, anchor),
        None => uri::guide_uri(&f.location),
    }
}

/// All diagnostics of a document; `path` resolves relative imports.
pub fn for_text(path: &Path, text: &str, guides: &Loaded) -> Vec<Diagnostic> {
    findings::findings(&guides.rules, path, text)
        .iter()
        .map(|f| diagnostic(text, f, guides))
        .collect()
}

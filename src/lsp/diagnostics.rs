//! Findings as LSP diagnostics: deprecated as warnings, problematic as errors, in the
//! guide's words, with the guide section as the code and a link to it.

use lsp_types::{CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString};

use crate::lookup::Class;
use crate::sanitize::sanitize_line;

use super::documents::range_in_line;
use super::findings::Finding;
use super::guides::Loaded;
use super::uri;

pub const SOURCE: &str = "devguide";

/// The diagnostic for one finding in `text`.
pub fn diagnostic(text: &str, f: &Finding, guides: &Loaded) -> Diagnostic {
    Diagnostic {
        range: range_in_line(text, f.line, f.start, f.end),
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

/// `deprecated import: <reason>\nuse: <canonical>\n<advice>`; every part sanitised.
pub fn message(f: &Finding) -> String {
    let mut msg = format!("{} import", f.class.as_str());
    if let Some(r) = &f.reason {
        msg.push_str(": ");
        msg.push_str(&sanitize_line(r));
    }
    if let Some(r) = &f.replacement {
        msg.push_str("\nuse: ");
        msg.push_str(&sanitize_line(r));
    }
    if let Some(a) = &f.advice {
        msg.push_str(&format!(" ({})", sanitize_line(a)));
    }
    msg
}

/// Where the guide says it: the guide's file at the heading when it is on disk, else a
/// `devguide:` URI naming the section.
pub fn section_uri(guides: &Loaded, f: &Finding) -> Option<lsp_types::Uri> {
    match guides.guide_path(f.guide) {
        Some(p) => uri::from_path(&p, f.anchor.as_deref()),
        None => uri::guide_uri(&f.location),
    }
}

/// All diagnostics of a document.
pub fn for_text(text: &str, guides: &Loaded) -> Vec<Diagnostic> {
    guides
        .rules
        .findings(text)
        .iter()
        .map(|f| diagnostic(text, f, guides))
        .collect()
}

//! The words under a finding, the same wherever it is shown (`devguide scan`, `devguide
//! fix`, the editor): why the guides retire the import, what to use instead, what else to
//! change, and where the guide says so.

use std::fmt;

use super::{Finding, Replacement, clean};

/// One line of a finding's explanation, borrowed from the finding. Its `Display` writes
/// the line with every piece that came from a guide or the code base defused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// `why: <the guide's reason>`.
    Why(&'a str),
    /// `use: <canonical import>`, with its caveat, and a note when `fix` leaves the
    /// statement alone.
    Use {
        replacement: &'a Replacement,
        fixable: bool,
    },
    /// The guides name nothing to use instead.
    NoReplacement,
    /// `also: <advice from an OLD/NEW block>`.
    Also(&'a str),
    /// `see: guide#section`.
    See(&'a str),
}

impl Line<'_> {
    /// Writes the line (piece by piece: this runs for every finding of a large scan).
    pub fn write_to<W: fmt::Write>(&self, w: &mut W) -> fmt::Result {
        match *self {
            Line::Why(reason) => {
                w.write_str("why: ")?;
                w.write_str(&clean(reason))
            }
            Line::Use {
                replacement,
                fixable,
            } => {
                w.write_str("use: ")?;
                w.write_str(&clean(&replacement.import_line))?;
                if let Some(c) = &replacement.caveat {
                    w.write_str("  (")?;
                    w.write_str(&clean(c))?;
                    w.write_str(")")?;
                }
                if !fixable {
                    w.write_str("  [no automatic fix for this statement]")?;
                }
                Ok(())
            }
            Line::NoReplacement => w.write_str("use: the guides give no one-to-one replacement"),
            Line::Also(advice) => {
                w.write_str("also: ")?;
                w.write_str(&clean(advice))
            }
            Line::See(location) => {
                w.write_str("see: ")?;
                w.write_str(&clean(location))
            }
        }
    }
}

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// The lines under a finding, in the order they are shown.
pub fn lines(f: &Finding) -> impl Iterator<Item = Line<'_>> {
    let why = f.reason.as_deref().map(Line::Why);
    let use_ = match &f.replacement {
        Some(replacement) => Line::Use {
            replacement,
            fixable: f.fixable,
        },
        None => Line::NoReplacement,
    };
    why.into_iter()
        .chain(std::iter::once(use_))
        .chain(f.advice.iter().map(|a| Line::Also(a)))
        .chain(std::iter::once(Line::See(&f.rule_id)))
}

/// [`lines`] as text.
pub fn explanation(f: &Finding) -> Vec<String> {
    lines(f).map(|l| l.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{Class, Form};

    fn finding() -> Finding {
        Finding {
            path: "x.py".into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 2,
            range: 0..1,
            text: "from a import B".into(),
            form: Form::From,
            module: "a".into(),
            name: Some("B".into()),
            class: Class::Deprecated,
            rule: 0,
            rule_id: "guide#section".into(),
            reason: Some("moved\u{1b}[31m".into()),
            replacement: Some(Replacement {
                module: "b".into(),
                import_line: "from b import B".into(),
                caveat: Some("compatibility".into()),
            }),
            advice: vec!["build B(ctx)\ndirectly".into()],
            context: None,
            fixable: false,
            fix: None,
        }
    }

    #[test]
    fn every_line_in_order_and_defused() {
        assert_eq!(
            explanation(&finding()),
            [
                "why: moved\u{241b}[31m",
                "use: from b import B  (compatibility)  [no automatic fix for this statement]",
                "also: build B(ctx) directly",
                "see: guide#section",
            ]
        );
    }

    #[test]
    fn no_reason_and_no_replacement() {
        let f = Finding {
            reason: None,
            replacement: None,
            advice: Vec::new(),
            fixable: true,
            ..finding()
        };
        assert_eq!(
            explanation(&f),
            [
                "use: the guides give no one-to-one replacement",
                "see: guide#section"
            ]
        );
    }
}

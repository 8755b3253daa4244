//! `devguide lookup SYMBOL`: the import to write for a symbol, answered from the guide
//! set's own code blocks (see [`crate::lookup`]). The text output starts with the
//! canonical import, so `devguide lookup X | sed -n 2p` is the line to paste; group
//! headers are Python comments.

use std::io::Write;

use serde::Serialize;

use crate::content::GuideSet;
use crate::lookup::{Answer, Catalog, Form};
use crate::sanitize::sanitize_line;
use crate::scan::{Replacement, Rule, Rules};

use super::write_context;

/// How many near matches to suggest when nothing fits.
const NEAR: usize = 5;

#[derive(Serialize)]
struct Output<'a> {
    format: u32,
    found: bool,
    /// Nothing matched exactly; these forms match in another case.
    ignored_case: bool,
    /// The canonical import replacing the symbol's deprecated or problematic forms.
    replacement: Option<&'a Replacement>,
    /// What else to change, from the guides' OLD/NEW blocks.
    advice: &'a [String],
    #[serde(flatten)]
    answer: &'a Answer,
    near: Vec<String>,
}

/// Exit codes: 0 found, 1 no guide imports the symbol (near matches on stderr), 2 usage.
pub fn run(
    set: &GuideSet,
    symbol: &str,
    json: bool,
    vimgrep: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let symbol = symbol.trim();
    if symbol.is_empty() {
        write_context(writeln!(err, "devguide: lookup needs a symbol name"))?;
        return Ok(2);
    }
    if vimgrep && set.origin == crate::content::Origin::Bundled {
        write_context(writeln!(err, "{}", super::vimgrep::NO_FILES))?;
        return Ok(2);
    }
    let catalog = Catalog::build(set);
    let mut answer = catalog.lookup(symbol);
    let mut ignored_case = false;
    if answer.is_empty() {
        answer = catalog.lookup_ignoring_case(symbol);
        ignored_case = !answer.is_empty();
    }
    let found = !answer.is_empty();
    let rules = Rules::from_guides(set);
    let rule = symbol_rule(&rules, &answer);
    let near = if found {
        Vec::new()
    } else {
        catalog.near(symbol, NEAR)
    };
    if json {
        let value = Output {
            format: 1,
            found,
            ignored_case,
            replacement: rule.and_then(|r| r.replacement.as_ref()),
            advice: rule.map_or(&[], |r| r.advice.as_slice()),
            answer: &answer,
            near: near.clone(),
        };
        write_context(writeln!(out, "{}", serde_json::to_string_pretty(&value)?))?;
    } else if found && vimgrep {
        write_vimgrep(set, &answer, out)?;
    } else if found {
        if ignored_case {
            write_context(writeln!(
                err,
                "devguide: no exact match for '{}'; showing matches in another case",
                sanitize_line(symbol)
            ))?;
        }
        write_answer(&answer, &rules, out)?;
    }
    if !found {
        let mut msg = format!(
            "devguide: no guide imports '{}' in a code block",
            sanitize_line(symbol)
        );
        if !near.is_empty() {
            let near: Vec<String> = near.iter().map(|n| sanitize_line(n)).collect();
            msg.push_str(&format!("\nnear matches: {}", near.join(", ")));
        }
        write_context(writeln!(err, "{msg}"))?;
        return Ok(1);
    }
    Ok(0)
}

/// The scan rule stated by the first deprecated or problematic form of the answer.
fn symbol_rule<'r>(rules: &'r Rules, answer: &Answer) -> Option<&'r Rule> {
    answer
        .deprecated
        .iter()
        .chain(&answer.problematic)
        .find_map(|f| form_rule(rules, f))
}

fn form_rule<'r>(rules: &'r Rules, f: &Form) -> Option<&'r Rule> {
    rules
        .rules()
        .iter()
        .find(|r| r.guide_id == f.guide_id && r.guide_line == f.line)
}

fn write_answer(answer: &Answer, rules: &Rules, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut first = true;
    for (name, forms) in answer.groups() {
        if forms.is_empty() {
            continue;
        }
        if !first {
            write_context(writeln!(out))?;
        }
        first = false;
        write_context(writeln!(out, "# {name}"))?;
        for f in forms {
            write_form(f, out)?;
            write_suggestion(f, answer, rules, out)?;
        }
    }
    Ok(())
}

/// Under a retired form, the import to use instead and what else to change; under a
/// canonical form with a caveat, the caveat and what new code does instead.
fn write_suggestion(
    f: &Form,
    answer: &Answer,
    rules: &Rules,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if let Some(rule) = form_rule(rules, f) {
        if let Some(r) = &rule.replacement {
            write_context(writeln!(out, "    use: {}", sanitize_line(&r.import_line)))?;
        }
        for a in &rule.advice {
            write_context(writeln!(out, "    also: {}", sanitize_line(a)))?;
        }
        return Ok(());
    }
    if let Some(c) = &f.caveat {
        let mut line = format!("    caveat: {}", sanitize_line(c));
        if let Some(a) = symbol_rule(rules, answer).and_then(|r| r.advice.first()) {
            line.push_str(&format!("; new code: {}", sanitize_line(a)));
        }
        write_context(writeln!(out, "{line}"))?;
    }
    Ok(())
}

fn write_form(f: &Form, out: &mut dyn Write) -> anyhow::Result<()> {
    write_context(writeln!(out, "{}", sanitize_line(&f.import_line)))?;
    if let Some(r) = &f.reason {
        write_context(writeln!(out, "    why: {}", sanitize_line(r)))?;
    }
    write_context(writeln!(
        out,
        "    where: {}:{}",
        sanitize_line(&f.location()),
        f.line
    ))?;
    for n in &f.notes {
        write_context(writeln!(out, "    - {}", sanitize_line(n)))?;
    }
    Ok(())
}

/// One `file:line:col:class: import  (reason)` line per form, canonical first; the column
/// is where the symbol is written on that line of the guide.
fn write_vimgrep(set: &GuideSet, answer: &Answer, out: &mut dyn Write) -> anyhow::Result<()> {
    for (class, forms) in answer.groups() {
        for f in forms {
            let Some(path) = super::vimgrep::path(set, f.guide) else {
                continue;
            };
            let line = super::vimgrep::file_line(set, f.guide, f.line).unwrap_or("");
            let col = super::vimgrep::column(line, &answer.symbol);
            let mut text = format!("{class}: {}", f.import_line);
            if let Some(r) = &f.reason {
                text.push_str(&format!("  ({r})"));
            }
            super::vimgrep::write_line(out, &path, f.line, col, &text)?;
        }
    }
    Ok(())
}

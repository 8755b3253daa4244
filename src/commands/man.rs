//! `devguide man [--dir OUT]`: manual pages generated from the command-line definition,
//! with the keys taken from the live default key map, so neither can drift from the
//! program. Without `--dir` it prints devguide(1); with it, it writes devguide.1 and one
//! page per subcommand (devguide-show.1, devguide-checklist-tick.1, …), the pages the
//! SUBCOMMANDS section refers to.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;
use clap_mangen::Man;

use crate::app::action::ACTIONS;
use crate::keymap::Keymap;

pub fn run(dir: Option<&Path>, out: &mut dyn Write) -> anyhow::Result<u8> {
    let Some(dir) = dir else {
        super::write_context(out.write_all(main_page()?.as_bytes()))?;
        return Ok(0);
    };
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!(
            "{} is not a folder; name a folder to write the manual pages into",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let pages = pages()?;
    for (name, text) in &pages {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let line = format!("wrote {} manual pages to {}", pages.len(), dir.display());
    super::write_context(writeln!(out, "{}", crate::sanitize::sanitize_line(&line)))?;
    Ok(0)
}

fn built() -> clap::Command {
    // Building fills in the subcommands' display names (`devguide-show`), which become
    // the pages' titles and file names.
    let mut cmd = crate::cli::Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// devguide(1): clap's sections, then the ones a reader of a finished tool expects.
pub fn main_page() -> anyhow::Result<String> {
    let cmd = built();
    let man = Man::new(cmd);
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    man.render_options_section(&mut buf)?;
    man.render_subcommands_section(&mut buf)?;
    let mut page = String::from_utf8(buf)?;
    page.push_str(&examples());
    page.push_str(&keys());
    page.push_str(FILES);
    page.push_str(ENVIRONMENT);
    page.push_str(EXIT_STATUS);
    page.push_str(&see_also(&built(), true));
    page.push_str(&version());
    Ok(page)
}

/// Every page: `(file name, roff)`, devguide.1 first.
pub fn pages() -> anyhow::Result<Vec<(String, String)>> {
    fn walk(cmd: &clap::Command, out: &mut Vec<(String, String)>) -> anyhow::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let man = Man::new(sub.clone());
            let mut buf = Vec::new();
            man.render(&mut buf)?;
            let mut page = String::from_utf8(buf)?;
            page.push_str(EXIT_STATUS);
            page.push_str(&see_also(sub, false));
            out.push((man.get_filename(), page));
            walk(sub, out)?;
        }
        Ok(())
    }
    let mut pages = vec![("devguide.1".to_string(), main_page()?)];
    walk(&built(), &mut pages)?;
    Ok(pages)
}

/// Text made safe for roff: backslashes escaped, and a leading `.` or `'` (which would
/// start a request) defused.
fn roff_text(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

fn examples() -> String {
    let mut out = String::from(".SH EXAMPLES\n");
    for line in crate::cli::EXAMPLES.lines() {
        let Some(example) = line.strip_prefix("  ") else {
            continue;
        };
        let Some((command, what)) = example.split_once("  ") else {
            continue;
        };
        out.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            roff_text(command.trim()),
            roff_text(what.trim())
        ));
    }
    out
}

/// The default keys, grouped as in the help overlay, from the same tables.
fn keys() -> String {
    let keymap = Keymap::default();
    let mut out = String::from(
        ".SH KEYS\nThe default keys of the reader. Each can be rebound under \\fB[keys]\\fR \
in the configuration file by the action name shown in parentheses; the help overlay \
(\\fB?\\fR) shows the keys actually bound.\n",
    );
    let mut group = None;
    for (action, name, g, description) in ACTIONS {
        if group != Some(*g) {
            out.push_str(&format!(".SS {}\n", roff_text(g.title())));
            group = Some(*g);
        }
        let keys = keymap.labels(*action);
        let keys = if keys.is_empty() {
            "(unbound)".to_string()
        } else {
            keys
        };
        out.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{} (\\fI{}\\fR)\n",
            roff_text(&keys),
            roff_text(description),
            roff_text(name)
        ));
    }
    out
}

const FILES: &str = r".SH FILES
.TP
\fI$XDG_CONFIG_HOME/devguide/config.toml\fR
The configuration file (\fI~/.config/devguide/config.toml\fR; on macOS and Windows, when
XDG_CONFIG_HOME is not set, the platform's configuration folder).
\fBdevguide config path\fR prints the one in use, \fBdevguide config default\fR every
setting with its default.
.TP
\fI.devguide/state.json\fR
Shared checklist state in the current folder or a parent (team mode, created by
\fBdevguide checklist init \-\-here\fR), with each migration's ticks in
\fI.devguide/state.json.d/\fR. Commit both to share progress through git.
.TP
\fI$XDG_STATE_HOME/devguide/state.json\fR
Personal checklist state and reading positions when there is no team file
(\fI~/.local/state/devguide/state.json\fR).
.TP
\fI<state file>.corrupt\-<time>\fR
A state file that could not be read, moved aside rather than overwritten.
";

const ENVIRONMENT: &str = r".SH ENVIRONMENT
.TP
\fBDEVGUIDE_CONFIG\fR
Configuration file to read instead of the default; \fB\-\-config\fR overrides it.
.TP
\fBDEVGUIDE_STATE\fR
Checklist state file to use; \fB\-\-state\fR overrides it.
.TP
\fBDEVGUIDE_MAX_FILE_MB\fR
Largest guide file read, in megabytes (default 64); larger files are skipped.
.TP
\fBNO_COLOR\fR
When set and not empty, no colour: bold, underline and reverse video only.
\fB\-\-color always\fR brings colour back.
.TP
\fBXDG_CONFIG_HOME\fR, \fBXDG_STATE_HOME\fR
Where the configuration and the personal state file live.
.TP
\fBVISUAL\fR, \fBEDITOR\fR
The editor the \fIedit\fR key opens the guide in, at the line on screen.
.TP
\fBTERM\fR, \fBCOLORTERM\fR, \fBCOLORFGBG\fR
How many colours the terminal has, and whether its background is dark or light.
.TP
\fBBROWSER\fR
The command that opens external links when \fBbrowser\fR is not set in the configuration
file; without either, the platform's opener (\fBxdg\-open\fR with a display, \fBopen\fR,
\fBwslview\fR), and none over SSH.
.TP
\fBSSH_CONNECTION\fR, \fBSSH_TTY\fR, \fBDISPLAY\fR, \fBWAYLAND_DISPLAY\fR
Whether links can be opened on this machine's screen.
";

const EXIT_STATUS: &str = r".SH EXIT STATUS
.TP
\fB0\fR
Success. For \fBchecklist status\fR: every item is ticked.
.TP
\fB1\fR
An error (an unknown guide, heading or migration; an unreadable folder or file), or
for a gate (\fBchecklist status\fR, \fBconfig check\fR, \fBlookup\fR, \fBsearch\fR) a
finding: items left, problems, nothing found.
.TP
\fB2\fR
A usage error: an unknown option, a missing argument, an ambiguous item.
";

fn see_also(cmd: &clap::Command, main: bool) -> String {
    let mut refs: Vec<String> = Vec::new();
    if !main {
        refs.push("\\fBdevguide\\fR(1)".into());
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_display_name().unwrap_or(sub.get_name());
        refs.push(format!("\\fB{}\\fR(1)", roff_text(name)));
    }
    let mut out = String::from(".SH SEE ALSO\n");
    out.push_str(&refs.join(",\n"));
    if main {
        out.push_str(
            "\n.PP\n\\fBdevguide man \\-\\-dir\\fR \\fIOUT\\fR writes these pages; \
\\fBdevguide \\fR\\fICOMMAND\\fR \\fB\\-\\-help\\fR shows the same.",
        );
    }
    out.push('\n');
    out
}

fn version() -> String {
    format!(
        ".SH VERSION\n{}\n",
        roff_text(&format!("devguide {}", crate::version::VERSION))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(page: &str) -> Vec<&str> {
        page.lines()
            .filter_map(|l| l.strip_prefix(".SH "))
            .map(|s| s.trim_matches('"'))
            .collect()
    }

    #[test]
    fn main_page_has_the_sections_a_finished_tool_has() {
        let page = main_page().expect("renders");
        let got = sections(&page);
        for want in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "OPTIONS",
            "SUBCOMMANDS",
            "EXAMPLES",
            "KEYS",
            "FILES",
            "ENVIRONMENT",
            "EXIT STATUS",
            "SEE ALSO",
        ] {
            assert!(got.contains(&want), "{want} missing from {got:?}");
        }
        for var in [
            "DEVGUIDE_CONFIG",
            "DEVGUIDE_STATE",
            "NO_COLOR",
            "XDG_CONFIG_HOME",
            "EDITOR",
        ] {
            assert!(page.contains(var), "{var} missing");
        }
    }

    /// Every action of the live key map is in KEYS with its bound keys, so a key added to
    /// the program cannot be missing from the page.
    #[test]
    fn keys_come_from_the_default_keymap() {
        let page = main_page().expect("renders");
        let keymap = Keymap::default();
        for (action, name, _, _) in ACTIONS {
            assert!(
                page.contains(&format!("(\\fI{}\\fR)", roff_text(name))),
                "{name}"
            );
            let labels = keymap.labels(*action);
            assert!(page.contains(&roff_text(&labels)), "{name}: {labels}");
        }
    }

    /// Each page the main page refers to is generated, and nothing else.
    #[test]
    fn every_page_referred_to_is_generated() {
        let pages = pages().expect("renders");
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for want in [
            "devguide.1",
            "devguide-show.1",
            "devguide-checklist.1",
            "devguide-checklist-tick.1",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        for (name, page) in &pages {
            for line in page.lines() {
                let mut rest = line;
                while let Some(at) = rest.find("\\fBdevguide") {
                    let tail = &rest[at + 3..];
                    let end = tail.find("\\fR(1)").unwrap_or(0);
                    if end > 0 {
                        let file = format!("{}.1", tail[..end].replace("\\-", "-"));
                        assert!(names.contains(&file.as_str()), "{name} refers to {file}");
                    }
                    rest = &tail[end.max(1)..];
                }
            }
        }
    }
}

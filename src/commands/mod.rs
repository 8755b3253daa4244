//! Non-interactive subcommands. Each writes to the given output and returns an exit code;
//! none of them draws a TUI.

pub mod ansi;
pub mod check;
pub mod checklist;
pub mod completions;
pub mod config;
pub mod export;
pub mod fix;
pub mod list;
pub mod lookup;
pub mod lsp;
pub mod man;
pub mod scan;
pub mod search;
pub mod show;
pub mod verify;
pub mod vimgrep;

use std::path::Path;

use anyhow::{Context, bail};

use crate::cli::SetArgs;
use crate::content::{GuideSet, LoadError, Origin};

/// A guide (and maybe a heading) named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub guide: usize,
    pub anchor: Option<String>,
}

/// Loads the guide set named by `--dir` (or the bundled one).
pub fn load_set(args: &SetArgs) -> anyhow::Result<GuideSet> {
    match &args.dir {
        Some(dir) => GuideSet::from_dir(dir).map_err(|e| anyhow::anyhow!(explain(e))),
        None => Ok(GuideSet::bundled()),
    }
}

/// [`load_set`] for `search` and `list`, with the set's cache: guides unchanged since the
/// last call (by size and time, with `trust_stat`) are not read again.
pub fn load_set_cached(
    args: &SetArgs,
    use_cache: bool,
    trust_stat: bool,
) -> anyhow::Result<(GuideSet, crate::search::cache::Session)> {
    crate::search::cache::load_set(args.dir.as_deref(), use_cache, trust_stat)
        .map_err(|e| anyhow::anyhow!(explain(e)))
}

/// The guide set folder to use when no `--dir` is given: the first configured folder that
/// exists. With folders configured but none present, a problem says so and the bundled
/// guides open instead.
pub fn configured_dir(
    loaded: &crate::config::Loaded,
) -> (Option<std::path::PathBuf>, Option<crate::config::Problem>) {
    let config = &loaded.config;
    if config.guides.is_empty() {
        return (None, None);
    }
    if let Some(dir) = config.guides.iter().find(|d| d.is_dir()) {
        return (Some(dir.clone()), None);
    }
    let list: Vec<String> = config
        .guides
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    let problem = crate::config::Problem {
        file: loaded
            .path
            .as_ref()
            .map_or_else(|| "config".into(), |(p, _)| p.display().to_string()),
        line: 0,
        message: format!(
            "guides: none of these folders exists: {}; showing the bundled guides",
            list.join(", ")
        ),
    };
    (None, Some(problem))
}

fn explain(e: LoadError) -> String {
    match &e {
        LoadError::Empty { skipped, .. } if !skipped.is_empty() => {
            let list: Vec<String> = skipped
                .iter()
                .map(|s| format!("  {}: {}", s.path.display(), s.reason))
                .collect();
            format!("{e}\nskipped:\n{}", list.join("\n"))
        }
        _ => e.to_string(),
    }
}

/// The set to browse and the guide to open for `devguide [DOC[#anchor]]`. DOC may be a
/// guide of the set or a path to a markdown file; a guide of the set wins unless DOC is
/// written as a path (`./x.md`, `notes/x.md`).
pub fn open_target(
    args: &SetArgs,
    doc: Option<&str>,
) -> anyhow::Result<(GuideSet, Option<Target>)> {
    open_target_with(args, doc, false, GuideSet::from_file)
}

/// [`open_target`] for the reader: only what the first screen needs is read before it.
/// A `--dir` set is loaded from its files' heads ([`GuideSet::from_dir_heads`]) and a
/// large markdown file named by path only in part ([`GuideSet::from_file_start`]); the
/// rest is read after the first frame.
pub fn open_reader_target(
    args: &SetArgs,
    doc: Option<&str>,
) -> anyhow::Result<(GuideSet, Option<Target>)> {
    open_target_with(args, doc, true, GuideSet::from_file_start)
}

fn open_target_with(
    args: &SetArgs,
    doc: Option<&str>,
    heads: bool,
    from_file: fn(&Path) -> Result<GuideSet, LoadError>,
) -> anyhow::Result<(GuideSet, Option<Target>)> {
    if doc == Some("-") {
        let set = GuideSet::from_reader(std::io::stdin().lock())
            .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        return Ok((
            set,
            Some(Target {
                guide: 0,
                anchor: None,
            }),
        ));
    }
    let set = match (&args.dir, heads) {
        (Some(dir), true) => {
            GuideSet::from_dir_heads(dir).map_err(|e| anyhow::anyhow!(explain(e)))?
        }
        _ => load_set(args)?,
    };
    let Some(doc) = doc else {
        return Ok((set, None));
    };
    let (name, anchor) = split_anchor(doc);
    let looks_like_path = name.contains('/') || name.contains(std::path::MAIN_SEPARATOR);
    if !looks_like_path && let Some(guide) = set.find(name) {
        return Ok((set, Some(Target { guide, anchor })));
    }
    let path = Path::new(name);
    if path.is_file() {
        let single = from_file(path).map_err(|e| anyhow::anyhow!(e.to_string()))?;
        return Ok((single, Some(Target { guide: 0, anchor })));
    }
    if let Some(guide) = set.find(name) {
        return Ok((set, Some(Target { guide, anchor })));
    }
    bail!("{}", unknown_doc(&set, name))
}

pub fn split_anchor(doc: &str) -> (&str, Option<String>) {
    match doc.split_once('#') {
        Some((name, anchor)) if !anchor.is_empty() => (name, Some(anchor.to_string())),
        Some((name, _)) => (name, None),
        None => (doc, None),
    }
}

fn set_name(set: &GuideSet) -> String {
    match &set.origin {
        Origin::Bundled => "the bundled guide set".into(),
        Origin::Dir(d) => format!("the guide set in {}", d.display()),
        Origin::File(f) => f.display().to_string(),
        Origin::Stdin => "standard input".into(),
    }
}

pub fn unknown_doc(set: &GuideSet, name: &str) -> String {
    let ids: Vec<&str> = set.guides.iter().map(|g| g.id.as_str()).collect();
    format!(
        "no guide '{}' in {} and no such markdown file.\nguides: {}",
        crate::sanitize::sanitize_line(name),
        set_name(set),
        ids.join(", ")
    )
}

/// True when an error is only a closed pipe (`devguide show x | head`): not a failure.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// True when standard input is a pipe or a file (`cat x.md | devguide`, `devguide < x.md`);
/// a terminal, `/dev/null` or a closed stdin is not, so scripts and editors that run
/// `devguide` without piping anything still get the guide set.
pub fn stdin_is_piped() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: fstat writes into the zeroed struct we own; fd 0 may be closed, which
        // fstat reports as an error.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        if unsafe { libc::fstat(0, &mut st) } != 0 {
            return false;
        }
        let kind = st.st_mode & libc::S_IFMT;
        kind == libc::S_IFIFO || kind == libc::S_IFREG
    }
    #[cfg(not(unix))]
    {
        use std::io::IsTerminal;
        !std::io::stdin().is_terminal()
    }
}

/// What a bare `devguide` was piped, as a set of one guide: `None` when standard input is
/// not a pipe or file, when it is empty (a script that runs `devguide` with an empty
/// pipe gets the guide set), or when nothing arrives within `wait` (a parent holding a
/// pipe open without writing must not hang the reader).
pub fn piped_guide(wait: std::time::Duration) -> Option<anyhow::Result<GuideSet>> {
    if !stdin_is_piped() || !stdin_ready(wait) {
        return None;
    }
    let limit = crate::content::max_file_bytes();
    let mut bytes = Vec::new();
    let read = std::io::Read::read_to_end(
        &mut std::io::Read::take(std::io::stdin().lock(), limit.saturating_add(1)),
        &mut bytes,
    );
    if let Err(e) = read {
        return Some(Err(anyhow::anyhow!("standard input: cannot be read: {e}")));
    }
    if bytes.is_empty() {
        return None;
    }
    Some(GuideSet::from_reader(&bytes[..]).map_err(|e| anyhow::anyhow!(e.to_string())))
}

/// True when standard input has data or its end within `wait`.
fn stdin_ready(wait: std::time::Duration) -> bool {
    #[cfg(unix)]
    {
        let mut pfd = libc::pollfd {
            fd: 0,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one valid pollfd for the duration of the call.
        let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
        ready > 0
    }
    #[cfg(not(unix))]
    {
        let _ = wait;
        true
    }
}

/// Problems with guides (bad front matter, invalid UTF-8, repaired text, includes),
/// one line each on `err`, as the reader's status bar shows them.
pub fn print_notices<'a>(
    notices: impl Iterator<Item = &'a String>,
    err: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    for n in notices {
        // Notices quote file names, which may hold control characters too.
        let n = crate::sanitize::sanitize_line(n);
        write_context(writeln!(err, "devguide: {n}"))?;
    }
    Ok(())
}

pub(crate) fn write_context<T>(r: std::io::Result<T>) -> anyhow::Result<T> {
    r.context("writing output")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_split_off() {
        assert_eq!(split_anchor("a#b"), ("a", Some("b".to_string())));
        assert_eq!(split_anchor("a#"), ("a", None));
        assert_eq!(split_anchor("a"), ("a", None));
    }

    #[test]
    fn doc_resolves_in_bundled_set_and_unknown_names_list_ids() {
        let (set, t) =
            open_target(&SetArgs::default(), Some("quick-reference#type-checking")).expect("found");
        assert_eq!(
            t,
            Some(Target {
                guide: 1,
                anchor: Some("type-checking".into())
            })
        );
        assert_eq!(set.origin, Origin::Bundled);
        let err = open_target(&SetArgs::default(), Some("nope"))
            .expect_err("unknown")
            .to_string();
        assert!(
            err.contains("no guide 'nope'") && err.contains("quick-reference"),
            "{err}"
        );
    }

    #[test]
    fn a_markdown_path_opens_as_a_set_of_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("notes.md");
        std::fs::write(&file, "# Notes\n").expect("write");
        let (set, t) = open_target(&SetArgs::default(), file.to_str()).expect("opens");
        assert_eq!(set.guides.len(), 1);
        assert_eq!(set.guides[0].title, "Notes");
        assert_eq!(t.map(|t| t.guide), Some(0));
    }
}

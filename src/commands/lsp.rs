//! `devguide lsp`: starts the language server on stdin/stdout (see [`crate::lsp`]).

use std::path::PathBuf;

use crate::cli::LspArgs;
use crate::config::Loaded;
use crate::lsp;

/// Exit codes as the protocol asks: 0 after `shutdown` and `exit`, 1 otherwise (and when
/// the log file cannot be opened).
pub fn run(args: &LspArgs, flag_dir: Option<PathBuf>, loaded: &Loaded) -> anyhow::Result<u8> {
    if let Some(path) = &args.log {
        lsp::log::open(path)?;
    }
    if let Some(line) = crate::config::summary(&loaded.problems) {
        lsp::log::line(&line);
    }
    let (configured, problem) = super::configured_dir(loaded);
    if let Some(p) = problem {
        lsp::log::line(&p.message);
    }
    Ok(lsp::run_stdio(lsp::Options {
        flag_dir,
        configured,
    }))
}

//! Parses the command line and dispatches; all logic lives in the library.

use std::process::ExitCode;

use clap::Parser;
use devguide::cli::{Cli, Command};
use devguide::content::GuideSet;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("devguide: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<u8> {
    match &cli.command {
        Some(Command::Checklist(cmd)) => {
            let set = match &cli.set.dir {
                Some(dir) => GuideSet::from_dir(dir)?,
                None => GuideSet::bundled(),
            };
            let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
            devguide::commands::checklist::run(
                cmd,
                &set,
                cli.set.state.as_deref(),
                cli.migration.as_deref(),
                &mut out,
                &mut err,
            )
        }
        _ => anyhow::bail!("only `devguide checklist` is available in this build"),
    }
}

//! Non-interactive subcommands. Each writes to the given output and returns an exit code;
//! none of them touches the terminal beyond that.

pub mod checklist;

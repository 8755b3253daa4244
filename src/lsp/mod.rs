//! `devguide lsp`: the guides inside the editor, over the Language Server Protocol.
//!
//! Synchronous (`lsp-server` message types, `lsp-types`): a reader thread turns stdin
//! frames into messages, the main loop handles them in order. Diagnostics, hovers and
//! code actions all come from [`findings`], the same rules `devguide lookup` reads from
//! the guides' code blocks.

pub mod actions;
pub mod capabilities;
pub mod completion;
pub mod diagnostics;
pub mod documents;
pub mod findings;
pub mod guides;
pub mod hover;
pub mod log;
pub mod server;
pub mod transport;
pub mod uri;
pub mod workspace;

pub use server::{Options, serve};

/// Serves over stdin/stdout; the exit code follows the protocol: 0 after `shutdown` then
/// `exit`, 1 otherwise.
pub fn run_stdio(opts: Options) -> u8 {
    log::install_panic_hook();
    let stdin = std::io::BufReader::new(std::io::stdin());
    let stdout = std::io::stdout();
    serve(stdin, stdout.lock(), opts)
}

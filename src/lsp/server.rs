//! The main loop: one thread reads frames, this one handles them in order, answers, and
//! publishes diagnostics once a burst of edits has settled.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionParams, CompletionParams, CompletionResponse, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DocumentDiagnosticParams, ExecuteCommandParams, Hover, HoverContents, HoverParams,
    InitializeParams, MarkupContent, MarkupKind, PublishDiagnosticsParams, Uri,
};
use serde_json::Value;

use super::documents::{Documents, line_at};
use super::guides::{self, Inputs, Loaded};
use super::transport::{self, Incoming, code};
use super::{actions, capabilities, completion, diagnostics, hover, log, uri, workspace};

/// How long the server waits for the next edit of a burst before analysing.
pub const DEBOUNCE: Duration = Duration::from_millis(2);
/// The longest diagnostics wait while edits keep coming.
pub const MAX_DELAY: Duration = Duration::from_millis(100);
/// How often the guide folder is checked for changes the client did not report.
pub const POLL: Duration = Duration::from_secs(2);
/// With this variable set, the method `devguide/panic` panics: for testing that a panic
/// in one request leaves the server serving.
pub const PANIC_HOOK_ENV: &str = "DEVGUIDE_LSP_TEST_PANIC";

/// What the command line gives the server.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub flag_dir: Option<PathBuf>,
    pub configured: Option<PathBuf>,
}

enum Flow {
    Continue,
    Exit(u8),
}

struct Server<W: Write> {
    out: W,
    opts: Options,
    initialized: bool,
    shutdown: bool,
    guides: Option<Loaded>,
    root: Option<PathBuf>,
    docs: Documents,
    dirty: BTreeSet<String>,
    uris: HashMap<String, Uri>,
    first_dirty: Option<Instant>,
    last_change: Instant,
    next_poll: Instant,
    pull: bool,
    refresh: bool,
    show_document: bool,
    watch_dynamic: bool,
    next_id: i32,
    panic_hook: bool,
}

/// Serves one client until `exit` or the end of input; returns the process exit code.
pub fn serve<R, W>(input: R, out: W, opts: Options) -> u8
where
    R: BufRead + Send + 'static,
    W: Write,
{
    let (tx, rx) = mpsc::channel::<Option<Incoming>>();
    let reader = std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || {
            let mut input = input;
            loop {
                match transport::read(&mut input) {
                    Ok(Some(m)) => {
                        let exit = matches!(&m, Incoming::Message(Message::Notification(n)) if n.method == "exit");
                        if tx.send(Some(m)).is_err() || exit {
                            return;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        log::line(&format!("reading the client failed: {e}"));
                        break;
                    }
                }
            }
            let _ = tx.send(None);
        });
    if let Err(e) = reader {
        log::line(&format!("cannot start the reader thread: {e}"));
        return 1;
    }
    let now = Instant::now();
    let mut server = Server {
        out,
        opts,
        initialized: false,
        shutdown: false,
        guides: None,
        root: None,
        docs: Documents::default(),
        dirty: BTreeSet::new(),
        uris: HashMap::new(),
        first_dirty: None,
        last_change: now,
        next_poll: now + POLL,
        pull: false,
        refresh: false,
        show_document: false,
        watch_dynamic: false,
        next_id: 1,
        panic_hook: std::env::var_os(PANIC_HOOK_ENV).is_some(),
    };
    loop {
        let wait = server.wait();
        let incoming = match rx.recv_timeout(wait) {
            Ok(Some(m)) => m,
            Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                // The client went away without `exit`.
                log::line("input closed without exit");
                return if server.shutdown { 0 } else { 1 };
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                server.on_timer();
                continue;
            }
        };
        match incoming {
            Incoming::Invalid { id, code, message } => {
                log::line(&format!("invalid message: {message}"));
                if let Err(e) = transport::write_error(&mut server.out, &id, code, &message) {
                    log::line(&format!("writing to the client failed: {e}"));
                    return 1;
                }
            }
            Incoming::Message(msg) => match server.handle(msg) {
                Flow::Continue => {}
                Flow::Exit(code) => return code,
            },
        }
        // A client that never pauses (requests back to back) still gets its diagnostics
        // and its guide reloads on time.
        server.on_timer();
    }
}

impl<W: Write> Server<W> {
    /// Time until the next thing the loop must do without a message.
    fn wait(&self) -> Duration {
        let now = Instant::now();
        let mut due = self.next_poll;
        if let Some(first) = self.first_dirty {
            due = due.min((self.last_change + DEBOUNCE).min(first + MAX_DELAY));
        }
        due.saturating_duration_since(now)
    }

    fn on_timer(&mut self) {
        let now = Instant::now();
        if let Some(first) = self.first_dirty
            && (now >= self.last_change + DEBOUNCE || now >= first + MAX_DELAY)
        {
            self.publish_dirty();
        }
        if now >= self.next_poll {
            self.next_poll = now + POLL;
            self.poll_guides();
        }
    }

    fn send(&mut self, msg: impl Into<Message>) {
        if let Err(e) = transport::write(&mut self.out, msg.into()) {
            log::line(&format!("writing to the client failed: {e}"));
        }
    }

    fn handle(&mut self, msg: Message) -> Flow {
        match msg {
            Message::Request(req) => {
                let id = req.id.clone();
                let method = req.method.clone();
                let result = catch_unwind(AssertUnwindSafe(|| self.request(req)));
                let response = match result {
                    Ok(r) => r,
                    Err(_) => {
                        log::line(&format!("request {method} panicked; still serving"));
                        fail(
                            id,
                            code::INTERNAL_ERROR,
                            format!("devguide lsp: internal error in {method} (see the log)"),
                        )
                    }
                };
                self.send(response);
                Flow::Continue
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Flow::Exit(if self.shutdown { 0 } else { 1 });
                }
                let method = n.method.clone();
                if catch_unwind(AssertUnwindSafe(|| self.notification(n))).is_err() {
                    log::line(&format!("notification {method} panicked; still serving"));
                }
                Flow::Continue
            }
            Message::Response(_) => Flow::Continue,
        }
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        if req.method == "initialize" {
            if self.initialized {
                return fail(id, code::INVALID_REQUEST, "already initialized".into());
            }
            return match serde_json::from_value::<InitializeParams>(req.params.clone()) {
                Ok(p) => self.initialize(id, p),
                // A client whose capabilities this version of the types cannot read still
                // gets served: the workspace and the options are all that matter here.
                Err(e) if req.params.is_object() => {
                    log::line(&format!(
                        "initialize: capabilities not understood ({e}); serving with defaults"
                    ));
                    self.initialize(id, lenient_initialize(&req.params))
                }
                Err(e) => fail(id, code::INVALID_PARAMS, e.to_string()),
            };
        }
        if !self.initialized {
            return fail(id, code::SERVER_NOT_INITIALIZED, "not initialized".into());
        }
        if self.shutdown {
            return fail(id, code::INVALID_REQUEST, "shutting down".into());
        }
        match req.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                Response::new_ok(id, Value::Null)
            }
            "textDocument/hover" => with_params(id, req.params, |p| Ok(self.hover(p))),
            "textDocument/completion" => with_params(id, req.params, |p| Ok(self.completion(p))),
            "textDocument/codeAction" => with_params(id, req.params, |p| Ok(self.code_action(p))),
            "workspace/executeCommand" => with_params(id, req.params, |p| self.execute(p)),
            "textDocument/diagnostic" => {
                with_params(id, req.params, |p| Ok(self.document_diagnostic(p)))
            }
            "workspace/diagnostic" => Response::new_ok(id, self.workspace_diagnostic()),
            "devguide/panic" if self.panic_hook => panic!("devguide/panic asked for a panic"),
            other => fail(
                id,
                code::METHOD_NOT_FOUND,
                format!("devguide lsp does not handle {other}"),
            ),
        }
    }

    fn initialize(&mut self, id: RequestId, p: InitializeParams) -> Response {
        #[allow(deprecated)] // root_uri and root_path: older clients send only these
        let root = p
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .and_then(|f| uri::to_path(&f.uri))
            .or_else(|| p.root_uri.as_ref().and_then(uri::to_path))
            .or_else(|| p.root_path.as_ref().map(PathBuf::from));
        let init_dir = p
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("dir"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from);
        let choice = guides::choose(&Inputs {
            init_dir,
            flag_dir: self.opts.flag_dir.clone(),
            root: root.clone(),
            configured: self.opts.configured.clone(),
        });
        let (loaded, problem) = Loaded::load(choice);
        log::line(&format!("guides: {}", loaded.choice.describe()));
        let caps = capabilities::Client::read(&p.capabilities);
        self.pull = caps.pull_diagnostics;
        self.refresh = caps.diagnostic_refresh;
        self.show_document = caps.show_document;
        self.watch_dynamic = caps.watch_dynamic;
        self.root = root;
        self.guides = Some(loaded);
        self.initialized = true;
        if let Some(problem) = problem {
            log::line(&problem);
            self.show_message(lsp_types::MessageType::WARNING, &problem);
        }
        Response::new_ok(id, capabilities::initialize_result(self.pull))
    }

    fn notification(&mut self, n: Notification) {
        if !self.initialized {
            return;
        }
        match n.method.as_str() {
            "initialized" => self.register_watchers(),
            "textDocument/didOpen" => {
                if let Some(p) = parse::<DidOpenTextDocumentParams>(&n) {
                    let d = p.text_document;
                    self.docs
                        .open(d.uri.clone(), d.text, d.version, d.language_id);
                    // A fresh document is analysed at once: nothing to wait for.
                    self.mark_dirty(&d.uri);
                    self.publish_dirty();
                }
            }
            "textDocument/didChange" => {
                if let Some(p) = parse::<DidChangeTextDocumentParams>(&n) {
                    let uri = p.text_document.uri;
                    if let Err(e) =
                        self.docs
                            .change(&uri, p.text_document.version, p.content_changes)
                    {
                        log::line(&e);
                    }
                    self.mark_dirty(&uri);
                }
            }
            "textDocument/didClose" => {
                if let Some(p) = parse::<DidCloseTextDocumentParams>(&n) {
                    let uri = p.text_document.uri;
                    self.docs.close(&uri);
                    self.dirty.remove(uri.as_str());
                    if !self.pull {
                        self.publish(uri, Vec::new(), None);
                    }
                }
            }
            "workspace/didChangeWatchedFiles" => {
                if let Some(p) = parse::<DidChangeWatchedFilesParams>(&n) {
                    let dir = self
                        .guides
                        .as_ref()
                        .and_then(|g| g.choice.dir().map(|d| d.to_path_buf()));
                    let touched = dir.is_some_and(|dir| {
                        p.changes.iter().any(|c| {
                            uri::to_path(&c.uri).is_some_and(|p| guides::is_guide_file(&dir, &p))
                        })
                    });
                    if touched {
                        self.reload_guides("the client reported a guide change");
                    }
                }
            }
            _ => {}
        }
    }

    fn mark_dirty(&mut self, uri: &Uri) {
        let now = Instant::now();
        self.last_change = now;
        self.first_dirty.get_or_insert(now);
        self.dirty.insert(uri.as_str().to_string());
        self.uris.insert(uri.as_str().to_string(), uri.clone());
    }

    /// Publishes diagnostics for every document changed since the last time.
    fn publish_dirty(&mut self) {
        self.first_dirty = None;
        let dirty = std::mem::take(&mut self.dirty);
        if self.pull {
            // The client pulls after its own edits; nothing to push.
            return;
        }
        for key in dirty {
            let Some(uri) = self.uris.get(&key).cloned() else {
                continue;
            };
            let Some(doc) = self.docs.get(&uri) else {
                continue;
            };
            let version = doc.version;
            let diags = match (&self.guides, doc.is_python(&uri)) {
                (Some(g), true) => diagnostics::for_text(&doc_path(&uri), &doc.text, g),
                _ => Vec::new(),
            };
            self.publish(uri, diags, Some(version));
        }
    }

    fn publish(&mut self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(
            "textDocument/publishDiagnostics".into(),
            params,
        ));
    }

    fn request_id(&mut self) -> RequestId {
        self.next_id += 1;
        RequestId::from(format!("devguide-{}", self.next_id))
    }

    fn show_message(&mut self, typ: lsp_types::MessageType, message: &str) {
        let params = lsp_types::ShowMessageParams {
            typ,
            message: crate::sanitize::sanitize(message).into_owned(),
        };
        self.send(Notification::new("window/showMessage".into(), params));
    }

    /// Asks the client to report changes to the guide files, when it can.
    fn register_watchers(&mut self) {
        let Some(dir) = self
            .guides
            .as_ref()
            .and_then(|g| g.choice.dir().map(|d| d.to_path_buf()))
        else {
            return;
        };
        if !self.watch_dynamic {
            return;
        }
        let pattern = format!("{}/**/*.{{md,markdown}}", dir.display());
        let params = serde_json::json!({
            "registrations": [{
                "id": "devguide-guides",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": { "watchers": [{ "globPattern": pattern }] }
            }]
        });
        let id = self.request_id();
        self.send(Request::new(id, "client/registerCapability".into(), params));
    }

    /// The reader's own polling, for clients that do not watch files.
    fn poll_guides(&mut self) {
        let Some(g) = &self.guides else { return };
        let Some(dir) = g.choice.dir() else { return };
        if guides::stamp(dir) != g.stamp {
            self.reload_guides("a guide file changed");
        }
    }

    fn reload_guides(&mut self, why: &str) {
        let Some(old) = &self.guides else { return };
        let (loaded, problem) = Loaded::load(old.choice.clone());
        log::line(&format!("reloaded {}: {why}", loaded.choice.describe()));
        if let Some(p) = problem {
            log::line(&p);
        }
        self.guides = Some(loaded);
        if self.pull && self.refresh {
            // New rules: ask a pulling client to pull again.
            let id = self.request_id();
            self.send(Request::new(
                id,
                "workspace/diagnostic/refresh".into(),
                Value::Null,
            ));
        }
        let open: Vec<Uri> = self.docs.uris().cloned().collect();
        for uri in &open {
            self.mark_dirty(uri);
        }
        self.publish_dirty();
    }

    fn hover(&self, p: HoverParams) -> Option<Hover> {
        let g = self.guides.as_ref()?;
        let pos = p.text_document_position_params;
        let doc = self.docs.get(&pos.text_document.uri)?;
        let (line, col) = line_at(&doc.text, pos.position)?;
        let symbol = hover::symbol_at(g, line, col)?;
        let value = hover::markdown(g, &symbol)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: None,
        })
    }

    fn completion(&self, p: CompletionParams) -> Option<CompletionResponse> {
        let g = self.guides.as_ref()?;
        let pos = p.text_document_position;
        let doc = self.docs.get(&pos.text_document.uri)?;
        if !doc.is_python(&pos.text_document.uri) {
            return None;
        }
        let (line, col) = line_at(&doc.text, pos.position)?;
        let items = completion::items(g, line, pos.position.line, col);
        Some(CompletionResponse::Array(items))
    }

    fn code_action(&self, p: CodeActionParams) -> Option<lsp_types::CodeActionResponse> {
        let g = self.guides.as_ref()?;
        let doc = self.docs.get(&p.text_document.uri)?;
        if !doc.is_python(&p.text_document.uri) {
            return None;
        }
        let uri = &p.text_document.uri;
        Some(actions::actions(uri, &doc_path(uri), &doc.text, p.range, g))
    }

    fn execute(&mut self, p: ExecuteCommandParams) -> Result<Value, (i32, String)> {
        if p.command != actions::OPEN_GUIDE {
            return Err((
                code::INVALID_PARAMS,
                format!("unknown command {}", p.command),
            ));
        }
        let location = p
            .arguments
            .first()
            .and_then(Value::as_str)
            .ok_or((code::INVALID_PARAMS, "expected guide#anchor".to_string()))?
            .to_string();
        let g = self
            .guides
            .as_ref()
            .ok_or((code::REQUEST_FAILED, "no guides".to_string()))?;
        let (gi, line, markdown) = actions::section(g, &location).ok_or((
            code::INVALID_PARAMS,
            format!(
                "no guide section {}",
                crate::sanitize::sanitize_line(&location)
            ),
        ))?;
        let file = g.guide_path(gi);
        match file.and_then(|f| uri::from_path(&f, None)) {
            Some(file_uri) if self.show_document => {
                let pos = lsp_types::Position::new(line, 0);
                let params = lsp_types::ShowDocumentParams {
                    uri: file_uri,
                    external: Some(false),
                    take_focus: Some(true),
                    selection: Some(lsp_types::Range::new(pos, pos)),
                };
                let id = self.request_id();
                self.send(Request::new(id, "window/showDocument".into(), params));
            }
            _ => self.show_message(lsp_types::MessageType::INFO, &markdown),
        }
        Ok(serde_json::json!({ "location": location, "markdown": markdown }))
    }

    fn document_diagnostic(&self, p: DocumentDiagnosticParams) -> Value {
        let items = match (&self.guides, self.docs.get(&p.text_document.uri)) {
            (Some(g), Some(doc)) if doc.is_python(&p.text_document.uri) => {
                diagnostics::for_text(&doc_path(&p.text_document.uri), &doc.text, g)
            }
            _ => Vec::new(),
        };
        serde_json::json!({ "kind": "full", "items": items })
    }

    fn workspace_diagnostic(&self) -> Value {
        let (Some(g), Some(root)) = (&self.guides, &self.root) else {
            return serde_json::json!({ "items": [] });
        };
        workspace::report(root, g, &self.docs)
    }
}

/// The parts of `initialize` the server uses, read one by one from params that did not
/// parse as a whole.
fn lenient_initialize(params: &Value) -> InitializeParams {
    fn field<T: serde::de::DeserializeOwned>(params: &Value, name: &str) -> Option<T> {
        params
            .get(name)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }
    #[allow(deprecated)] // root_uri and root_path: older clients send only these
    InitializeParams {
        root_uri: field(params, "rootUri"),
        root_path: field(params, "rootPath"),
        workspace_folders: field(params, "workspaceFolders"),
        initialization_options: params.get("initializationOptions").cloned(),
        ..InitializeParams::default()
    }
}

/// An error answer; its message may quote the client's input, so it is sanitised.
fn fail(id: RequestId, code: i32, message: String) -> Response {
    Response::new_err(id, code, crate::sanitize::sanitize_line(&message))
}

/// The file a document is, for resolving its relative imports; an unsaved buffer has
/// none, and its relative imports then resolve against nothing.
fn doc_path(u: &Uri) -> PathBuf {
    uri::to_path(u).unwrap_or_else(|| PathBuf::from("untitled.py"))
}

/// Parses a request's params and answers with the handler's result, or the error.
fn with_params<P, R>(
    id: RequestId,
    params: Value,
    f: impl FnOnce(P) -> Result<R, (i32, String)>,
) -> Response
where
    P: serde::de::DeserializeOwned,
    R: serde::Serialize,
{
    match serde_json::from_value::<P>(params) {
        Ok(p) => match f(p) {
            Ok(r) => Response::new_ok(id, r),
            Err((c, m)) => fail(id, c, m),
        },
        Err(e) => fail(id, code::INVALID_PARAMS, format!("invalid params: {e}")),
    }
}

fn parse<P: serde::de::DeserializeOwned>(n: &Notification) -> Option<P> {
    match serde_json::from_value(n.params.clone()) {
        Ok(p) => Some(p),
        Err(e) => {
            log::line(&format!("{}: invalid params: {e}", n.method));
            None
        }
    }
}

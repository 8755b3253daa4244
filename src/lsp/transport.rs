//! The wire: `Content-Length` framed JSON-RPC over a byte stream. Our own reader rather
//! than `lsp_server::Connection::stdio`, whose reader thread stops at the first malformed
//! payload; here a bad frame or bad JSON becomes an error answer and the next frame is read.

use std::io::{self, BufRead, Write};

use lsp_server::Message;
use serde_json::Value;

/// A message larger than this is refused (its bytes are skipped): a client bug, not a
/// document anyone edits.
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// JSON-RPC error codes used here.
pub mod code {
    pub const PARSE_ERROR: i32 = -32700;
    pub const INVALID_REQUEST: i32 = -32600;
    pub const METHOD_NOT_FOUND: i32 = -32601;
    pub const INVALID_PARAMS: i32 = -32602;
    pub const INTERNAL_ERROR: i32 = -32603;
    pub const SERVER_NOT_INITIALIZED: i32 = -32002;
    pub const REQUEST_FAILED: i32 = -32803;
}

/// What the reader hands the server.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// Could not be understood; answered with an error (`id` is `null` when unknown).
    Invalid {
        id: Value,
        code: i32,
        message: String,
    },
}

/// Reads the next frame. `Ok(None)` at the end of the stream.
pub fn read(r: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let mut length: Option<usize> = None;
    let mut bad_header: Option<String> = None;
    let mut saw_header = false;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let h = line.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            if saw_header {
                break;
            }
            continue; // stray blank lines between frames
        }
        saw_header = true;
        match h.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => bad_header = Some(format!("bad Content-Length: {}", value.trim())),
                }
            }
            Some(_) => {} // Content-Type and friends
            None => bad_header = Some(format!("not a header line: {}", clip(h))),
        }
    }
    let Some(n) = length else {
        let message = bad_header.unwrap_or_else(|| "frame without Content-Length".into());
        return Ok(Some(invalid(Value::Null, code::PARSE_ERROR, message)));
    };
    if n > MAX_MESSAGE {
        io::copy(&mut io::Read::take(&mut *r, n as u64), &mut io::sink())?;
        return Ok(Some(invalid(
            Value::Null,
            code::INVALID_REQUEST,
            format!("message of {n} bytes refused (limit {MAX_MESSAGE})"),
        )));
    }
    let mut body = vec![0; n];
    r.read_exact(&mut body)?;
    Ok(Some(decode(&body)))
}

fn invalid(id: Value, code: i32, message: String) -> Incoming {
    Incoming::Invalid { id, code, message }
}

fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

/// A frame's body as a message, or the error to answer it with.
pub fn decode(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return invalid(Value::Null, code::PARSE_ERROR, format!("not JSON: {e}")),
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    if let Some(problem) = shape_problem(&value) {
        return invalid(id, code::INVALID_REQUEST, problem.into());
    }
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Incoming::Message(m),
        Err(e) => invalid(
            id,
            code::INVALID_REQUEST,
            format!("not a JSON-RPC message: {e}"),
        ),
    }
}

/// What is wrong with the shape of a JSON-RPC message, checked before `lsp_server`'s
/// untagged decoding, which would take `{"id":1,"method":5}` for an empty response.
fn shape_problem(v: &Value) -> Option<&'static str> {
    let Some(obj) = v.as_object() else {
        return Some("not a JSON-RPC object");
    };
    let id_ok = match obj.get("id") {
        None | Some(Value::Number(_) | Value::String(_)) => true,
        Some(Value::Null) => !obj.contains_key("method"),
        Some(_) => false,
    };
    if !id_ok {
        return Some("the id must be a number or a string");
    }
    match obj.get("method") {
        Some(Value::String(_)) => None,
        Some(_) => Some("the method must be a string"),
        None if obj.contains_key("id")
            && (obj.contains_key("result") || obj.contains_key("error")) =>
        {
            None
        }
        None => Some("neither a request, a notification nor a response"),
    }
}

/// Writes one message.
pub fn write(w: &mut impl Write, msg: Message) -> io::Result<()> {
    msg.write(w)
}

/// Writes an error response whose id may be `null` (which `lsp_server` cannot express).
pub fn write_error(w: &mut impl Write, id: &Value, code: i32, message: &str) -> io::Result<()> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": crate::sanitize::sanitize_line(message) },
    })
    .to_string();
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn read_all(input: &str) -> Vec<Incoming> {
        let mut r = io::Cursor::new(input.as_bytes().to_vec());
        let mut out = Vec::new();
        while let Some(m) = read(&mut r).expect("reads") {
            out.push(m);
        }
        out
    }

    #[test]
    fn bad_json_and_bad_headers_become_errors_and_reading_goes_on() {
        let input = [
            frame("{not json"),
            "Content-Length: abc\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":5}"#),
            frame(r#"[1,2]"#),
            frame(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#),
        ]
        .concat();
        let got = read_all(&input);
        assert_eq!(got.len(), 5, "{got:?}");
        assert!(matches!(
            &got[0],
            Incoming::Invalid {
                code: code::PARSE_ERROR,
                id: Value::Null,
                ..
            }
        ));
        assert!(matches!(
            &got[1],
            Incoming::Invalid {
                code: code::PARSE_ERROR,
                ..
            }
        ));
        assert!(
            matches!(&got[2], Incoming::Invalid { code: code::INVALID_REQUEST, id, .. } if id == &serde_json::json!(7))
        );
        assert!(matches!(
            &got[3],
            Incoming::Invalid {
                code: code::INVALID_REQUEST,
                ..
            }
        ));
        assert!(
            matches!(&got[4], Incoming::Message(Message::Request(r)) if r.method == "shutdown")
        );
    }

    #[test]
    fn oversize_frames_are_skipped_not_buffered() {
        let input = format!(
            "Content-Length: {}\r\n\r\n{}",
            MAX_MESSAGE + 1,
            "x".repeat(10)
        );
        let got = read_all(&input);
        assert!(matches!(
            &got[0],
            Incoming::Invalid {
                code: code::INVALID_REQUEST,
                ..
            }
        ));
    }

    #[test]
    fn errors_with_null_ids_are_framed() {
        let mut out = Vec::new();
        write_error(&mut out, &Value::Null, code::PARSE_ERROR, "bad").expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        let body = text.split("\r\n\r\n").nth(1).expect("body");
        assert!(text.starts_with(&format!("Content-Length: {}\r\n", body.len())));
        let v: Value = serde_json::from_str(body).expect("json");
        assert_eq!(v["id"], Value::Null);
        assert_eq!(v["error"]["code"], code::PARSE_ERROR);
    }
}

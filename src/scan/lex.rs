//! A Python tokenizer just precise enough to tell code from comments and strings.
//!
//! It knows every string form (prefixes in any case, triple quotes, raw strings, and
//! f/t-strings whose replacement fields hold code, nested quotes included), comments,
//! backslash continuations and bracket depth, so it can say where each logical line ends.
//! Numbers, operators and indentation are tokenized only as far as that needs. It never
//! fails: malformed input (an unterminated string) ends the token at the end of the line
//! or file, as a Python tokenizer would have stopped there with an error.

/// One token. Offsets are bytes into the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword: `source[start..end]`.
    Name { start: usize, end: usize },
    /// A one-byte operator or delimiter (`.`, `(`, `,`, `*`, `:`, `;`...).
    Op { pos: usize, byte: u8 },
    /// A string literal from its prefix to its closing quote; `body` is what lies between
    /// the quotes.
    Str {
        start: usize,
        end: usize,
        body_start: usize,
        body_end: usize,
        flags: StrFlags,
    },
    /// The end of a logical line (a newline outside brackets).
    Newline { pos: usize },
}

/// What a string literal's prefix says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StrFlags {
    pub raw: bool,
    pub bytes: bool,
    /// f-string or t-string: holds replacement fields.
    pub formatted: bool,
}

impl Tok {
    pub fn start(&self) -> usize {
        match *self {
            Tok::Name { start, .. } | Tok::Str { start, .. } => start,
            Tok::Op { pos, .. } | Tok::Newline { pos } => pos,
        }
    }

    pub fn end(&self) -> usize {
        match *self {
            Tok::Name { end, .. } | Tok::Str { end, .. } => end,
            Tok::Op { pos, .. } => pos + 1,
            Tok::Newline { pos } => pos,
        }
    }
}

/// Tokenizes a whole source file.
pub fn tokenize(src: &str) -> Vec<Tok> {
    let mut lx = Lexer {
        s: src.as_bytes(),
        i: 0,
        depth: 0,
        out: Vec::with_capacity(src.len() / 6),
    };
    lx.run(None);
    lx.out
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
    out: Vec<Tok>,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// Bytes that continue an identifier, as a table: names are most of a source file's bytes.
static NAME_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
        b += 1;
    }
    t
};

fn is_name_byte(b: u8) -> bool {
    NAME_BYTES[usize::from(b)]
}

/// The flags of a string prefix, when `word` is one (`r`, `b`, `rb`, `f`, `rf`, `t`...).
fn string_prefix(word: &[u8]) -> Option<StrFlags> {
    if word.len() > 2 {
        return None;
    }
    let mut flags = StrFlags::default();
    let mut kinds = 0;
    for &c in word {
        match c.to_ascii_lowercase() {
            b'r' if !flags.raw => flags.raw = true,
            b'b' => {
                flags.bytes = true;
                kinds += 1;
            }
            b'f' | b't' => {
                flags.formatted = true;
                kinds += 1;
            }
            b'u' if word.len() == 1 => kinds += 1,
            _ => return None,
        }
    }
    (kinds <= 1).then_some(flags)
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> u8 {
        self.s.get(self.i + k).copied().unwrap_or(0)
    }

    /// Tokenizes until the end, or (inside an f-string field, `stop` given) until a `}`,
    /// `!` or `:` at the field's own bracket level. Returns the byte that stopped it.
    fn run(&mut self, stop: Option<usize>) -> Option<u8> {
        while self.i < self.s.len() {
            let b = self.s[self.i];
            match b {
                b' ' | b'\t' | b'\x0c' => self.i += 1,
                b'#' => {
                    self.i = memchr::memchr2(b'\n', b'\r', &self.s[self.i..])
                        .map_or(self.s.len(), |k| self.i + k);
                }
                b'\\' if matches!(self.peek(1), b'\n' | b'\r') => {
                    self.i += 1;
                    if self.peek(0) == b'\r' && self.peek(1) == b'\n' {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                b'\n' | b'\r' => {
                    if self.depth == 0 && stop.is_none() {
                        self.out.push(Tok::Newline { pos: self.i });
                    }
                    self.i += 1;
                }
                b'"' | b'\'' => self.string(self.i, StrFlags::default()),
                b'0'..=b'9' => {
                    while self.i < self.s.len()
                        && (is_name_byte(self.s[self.i]) || self.s[self.i] == b'.')
                    {
                        self.i += 1;
                    }
                }
                b'.' if self.peek(1).is_ascii_digit() => {
                    self.i += 1;
                    while self.i < self.s.len() && is_name_byte(self.s[self.i]) {
                        self.i += 1;
                    }
                }
                _ if is_name_start(b) => {
                    let start = self.i;
                    while self.i < self.s.len() && is_name_byte(self.s[self.i]) {
                        self.i += 1;
                    }
                    let q = self.peek(0);
                    if (q == b'"' || q == b'\'')
                        && let Some(flags) = string_prefix(&self.s[start..self.i])
                    {
                        self.string(start, flags);
                    } else {
                        self.out.push(Tok::Name { start, end: self.i });
                    }
                }
                _ => {
                    if let Some(level) = stop
                        && self.depth == level
                    {
                        let ends = match b {
                            b'}' | b':' => true,
                            b'!' => self.peek(1) != b'=',
                            _ => false,
                        };
                        if ends {
                            return Some(b);
                        }
                    }
                    match b {
                        b'(' | b'[' | b'{' => self.depth += 1,
                        b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                        _ => {}
                    }
                    self.out.push(Tok::Op {
                        pos: self.i,
                        byte: b,
                    });
                    self.i += 1;
                }
            }
        }
        None
    }

    /// A string literal whose prefix starts at `start` and whose quote is at `self.i`.
    fn string(&mut self, start: usize, flags: StrFlags) {
        let q = self.s[self.i];
        let triple = self.peek(1) == q && self.peek(2) == q;
        let qlen = if triple { 3 } else { 1 };
        self.i += qlen;
        let body_start = self.i;
        // The tokens of replacement fields are code, but not what the caller is after:
        // lex them on the side and drop them.
        let body_end = loop {
            if self.i >= self.s.len() {
                break self.s.len();
            }
            let b = self.s[self.i];
            if b == b'\\' {
                if flags.formatted && !flags.raw && self.peek(1) == b'N' && self.peek(2) == b'{' {
                    // `\N{NAME}` is an escape, not a field.
                    while self.i < self.s.len() && self.s[self.i] != b'}' {
                        self.i += 1;
                    }
                    self.i += 1;
                } else {
                    self.i += 2;
                }
                continue;
            }
            if b == q && (!triple || (self.peek(1) == q && self.peek(2) == q)) {
                let end = self.i;
                self.i += qlen;
                break end;
            }
            if !triple && matches!(b, b'\n' | b'\r') {
                break self.i;
            }
            if flags.formatted && b == b'{' {
                if self.peek(1) == b'{' {
                    self.i += 2;
                } else {
                    self.i += 1;
                    self.field();
                }
                continue;
            }
            self.i += 1;
        };
        let end = self.i.min(self.s.len());
        self.out.push(Tok::Str {
            start,
            end,
            body_start,
            body_end: body_end.min(end),
            flags,
        });
    }

    /// A replacement field after its `{`: an expression, an optional `!conversion`, an
    /// optional `:format spec` (which may hold nested fields), then `}`.
    fn field(&mut self) {
        let saved_out = self.out.len();
        let saved_depth = self.depth;
        self.depth = 0;
        let mut stopped = self.run(Some(0));
        if stopped == Some(b'!') {
            self.i += 1;
            while self.i < self.s.len() && is_name_byte(self.s[self.i]) {
                self.i += 1;
            }
            stopped = match self.peek(0) {
                b':' => Some(b':'),
                b'}' => Some(b'}'),
                _ => None,
            };
        }
        if stopped == Some(b':') {
            self.i += 1;
            // The format spec: literal text with nested fields, up to the closing brace.
            while self.i < self.s.len() {
                match self.s[self.i] {
                    b'{' => {
                        self.i += 1;
                        self.field();
                    }
                    b'}' => break,
                    b'\\' => self.i += 2,
                    b'\n' | b'\r' | b'"' | b'\'' => break,
                    _ => self.i += 1,
                }
            }
        }
        if self.peek(0) == b'}' {
            self.i += 1;
        }
        self.out.truncate(saved_out);
        self.depth = saved_depth;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(src: &str) -> Vec<&str> {
        tokenize(src)
            .iter()
            .filter_map(|t| match *t {
                Tok::Name { start, end } => Some(&src[start..end]),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn comments_and_strings_hide_their_words() {
        assert_eq!(names("x = 1  # import os\n"), ["x"]);
        assert_eq!(names("s = 'import os'\n"), ["s"]);
        assert_eq!(
            names("s = \"\"\"\nimport os\n\"\"\"\nimport y"),
            ["s", "import", "y"]
        );
        assert_eq!(names("s = r'\\' import a'"), ["s"]);
        assert_eq!(names("b = rb'x' Br\"y\" u'z'"), ["b"]);
    }

    #[test]
    fn f_string_fields_are_skipped_whole_even_with_nested_quotes() {
        assert_eq!(names("f'{x[\"import os\"]}' ; y"), ["y"]);
        assert_eq!(names("f'{a!r:>{w}} {{import}}' ; y"), ["y"]);
        assert_eq!(names("f'\\N{DASH} {z}' ; y"), ["y"]);
        assert_eq!(names("f\"\"\"{\n'a'\n}\"\"\"\ny"), ["y"]);
    }

    #[test]
    fn logical_lines_end_outside_brackets_only() {
        let toks = tokenize("from a import (\n b,\n c)\nx \\\n = 1\n");
        let newlines = toks
            .iter()
            .filter(|t| matches!(t, Tok::Newline { .. }))
            .count();
        assert_eq!(newlines, 2);
    }

    #[test]
    fn prefixes_that_are_not_prefixes_are_names() {
        assert_eq!(names("rr'x'"), ["rr"]);
        assert_eq!(names("fb'x'"), ["fb"]);
        assert_eq!(names("print('x')"), ["print"]);
    }
}

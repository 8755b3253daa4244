//! Raw HTML in markdown, read for its text: tags are never shown. A small tokenizer (tags,
//! text, comments) and entity decoding; the parser decides what each tag becomes
//! (`<br>` a line break, `<img>` `[image: alt]`, `<kbd>` a key, comments nothing).

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    Text(&'a str),
    Open {
        /// Lower-case tag name.
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    Close {
        name: String,
    },
    Comment(&'a str),
}

impl Token<'_> {
    pub fn attr(&self, key: &str) -> Option<&str> {
        match self {
            Token::Open { attrs, .. } => attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }
}

/// Splits HTML into tokens. Anything that does not parse as a tag is text, so no input
/// is lost and none makes the tokenizer loop.
pub fn tokens(s: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            out.push(Token::Text(rest));
            break;
        };
        if lt > 0 {
            out.push(Token::Text(&rest[..lt]));
            rest = &rest[lt..];
        }
        if let Some(body) = rest.strip_prefix("<!--") {
            let end = body.find("-->").map_or(body.len(), |e| e + 3);
            out.push(Token::Comment(
                &body[..end.saturating_sub(3).min(body.len())],
            ));
            rest = &body[end.min(body.len())..];
            continue;
        }
        match tag(rest) {
            Some((token, len)) => {
                out.push(token);
                rest = &rest[len..];
            }
            None => {
                out.push(Token::Text("<"));
                rest = &rest[1..];
            }
        }
    }
    out
}

/// One tag at the start of `s` (which starts with `<`), and its length.
fn tag(s: &str) -> Option<(Token<'static>, usize)> {
    let bytes = s.as_bytes();
    let mut i = 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'-' | b'_' | b':'))
    {
        i += 1;
    }
    if i == name_start || !bytes[name_start].is_ascii_alphabetic() {
        // `<!DOCTYPE>`, `<?xml?>`: declarations say nothing to a reader.
        if matches!(bytes.get(1), Some(b'!' | b'?')) {
            let end = s.find('>')?;
            return Some((Token::Comment(""), end + 1));
        }
        return None;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i) {
            None => return None,
            Some(b'>') => {
                i += 1;
                break;
            }
            Some(b'/') if bytes.get(i + 1) == Some(&b'>') => {
                i += 2;
                let token = Token::Open {
                    name,
                    attrs,
                    self_closing: true,
                };
                return Some((token, i));
            }
            _ => {}
        }
        let key_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        if i == key_start {
            // A stray `/` or `=`: skip it.
            i += 1;
            continue;
        }
        let key = s[key_start..i].to_ascii_lowercase();
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = s[i + 1..].find(q as char)? + i + 1;
                    value = decode_entities(&s[i + 1..end]).into_owned();
                    i = end + 1;
                }
                _ => {
                    let start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = decode_entities(&s[start..i]).into_owned();
                }
            }
        }
        attrs.push((key, value));
    }
    let token = if closing {
        Token::Close { name }
    } else {
        Token::Open {
            name,
            attrs,
            self_closing: false,
        }
    };
    Some((token, i))
}

/// Tags that sit inside a line of text; every other tag (including custom elements such
/// as `<Listing>`) starts a new line.
pub fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "del"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "img"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "tt"
            | "u"
            | "var"
            | "wbr"
    )
}

/// Decodes `&amp;`, `&#39;`, `&#x2014;` and the named entities guides commonly use.
/// Unknown names stay as written.
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|e| e + 1);
        let decoded = match end {
            Some(e) if rest.as_bytes().get(e) == Some(&b';') => {
                entity(&rest[1..e]).map(|c| (c, e + 1))
            }
            _ => None,
        };
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        // NUL and surrogates become the replacement character, as browsers do.
        return Some(
            char::from_u32(code)
                .filter(|&c| c != '\0')
                .unwrap_or('\u{fffd}'),
        );
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bull" => '•',
        "middot" => '·',
        "times" => '×',
        "divide" => '÷',
        "deg" => '°',
        "plusmn" => '±',
        "larr" => '←',
        "rarr" => '→',
        "uarr" => '↑',
        "darr" => '↓',
        "harr" => '↔',
        "check" => '✓',
        "euro" => '€',
        "pound" => '£',
        "sect" => '§',
        "para" => '¶',
        "shy" => '\u{ad}',
        "zwj" => '\u{200d}',
        "zwnj" => '\u{200c}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_text_and_comments() {
        let t = tokens("<img src=\"a.png\" alt='A &amp; B'/>x<!-- hid -->y</span><3");
        assert_eq!(t[0].attr("alt"), Some("A & B"));
        assert_eq!(t[1], Token::Text("x"));
        assert_eq!(t[2], Token::Comment(" hid "));
        assert_eq!(
            t[4],
            Token::Close {
                name: "span".into()
            }
        );
        assert_eq!(&t[5..], [Token::Text("<"), Token::Text("3")]);
    }

    #[test]
    fn unterminated_input_ends() {
        for s in [
            "<a href=\"x",
            "<!-- never",
            "<",
            "<b",
            "&#xffffffff;",
            "&",
            "<a/",
            "</",
        ] {
            let _ = tokens(s);
            let _ = decode_entities(s);
        }
        assert_eq!(
            decode_entities("&#0;&#x2014;&nope;&lt;"),
            "\u{fffd}—&nope;<"
        );
    }
}

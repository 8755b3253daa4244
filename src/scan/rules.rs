//! The rules a scan checks, built from a guide set's classified imports
//! ([`crate::lookup::Catalog`]): a change to a guide is a change to the rules.
//!
//! - Each deprecated or problematic `from M import S` in a guide is a *symbol rule* on
//!   `M.S`.
//! - A module is retired *whole* (a *module rule*) when the guides import from it only in
//!   deprecated or problematic forms, no canonical import comes from it or from a module
//!   under it, and no canonical import names it; `import M` written as deprecated or
//!   problematic is a module rule too.
//! - The replacement of a symbol rule is the first canonical import of the same name from
//!   another module (canonical blocks, backward-compatibility blocks, `# NEW` lines).
//! - A rule's advice is the code after a `# NEW`/`# CANONICAL` marker in the block where
//!   the guide retires the import (the "OLD / NEW" pattern), with the marker's words.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use memchr::memmem;
use serde::Serialize;

use crate::content::GuideSet;
use crate::doc::Doc;
use crate::lookup::{Catalog, Class, Form, classify, python};

/// The canonical import that replaces a retired one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replacement {
    /// The canonical module providing the same name.
    pub module: String,
    /// The canonical import line as the guide writes it.
    pub import_line: String,
    /// The guide's caveat on that canonical line (`Backward compatibility function`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
}

/// One retired import, as a guide states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The guide section that states it, `guide#anchor`: the rule's id in SARIF.
    pub id: String,
    pub class: Class,
    /// The retired module (the module `S` is imported from, for a symbol rule).
    pub module: String,
    /// The retired name for a symbol rule; `None` when the whole module is retired.
    pub name: Option<String>,
    /// The guide's short reason (marker text, the line's own comment).
    pub reason: Option<String>,
    /// The guide's longer explanation around the snippet.
    pub notes: Vec<String>,
    /// The import as the guide writes it.
    pub guide_line_text: String,
    /// 1-based line of the guide file.
    pub guide_line: u32,
    pub guide_id: String,
    pub replacement: Option<Replacement>,
    /// What to do beyond the import, from an OLD/NEW block: `marker words: code`.
    pub advice: Vec<String>,
}

impl Rule {
    /// `M.S` for a symbol rule, `M` for a module rule.
    pub fn target(&self) -> String {
        match &self.name {
            Some(n) => format!("{}.{n}", self.module),
            None => self.module.clone(),
        }
    }
}

/// A quick hash for the rule tables. They are filled from the guides only; the code
/// being scanned only looks names up, so it cannot flood a bucket, and the lookups (a few
/// per import statement, thousands of statements per scan) are the hot path.
#[derive(Default, Clone, Copy)]
struct QuickHasher(u64);

impl Hasher for QuickHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Quick = BuildHasherDefault<QuickHasher>;
type Table<V> = HashMap<String, V, Quick>;

/// The rules of a guide set, indexed for matching. Every lookup takes borrowed text, so
/// matching allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
    /// Module → name → rule.
    symbols: Table<Table<usize>>,
    /// Retired module → rule.
    modules: Table<usize>,
    /// A retired module's package → the module's last part → rule: `from pkg import mod`.
    modules_by_package: Table<Table<usize>>,
    /// Name → the first canonical module the guides import it from.
    canonical: HashMap<String, String>,
    /// Words every file with a finding must contain (names and last module parts), minimal.
    needles: Vec<memmem::Finder<'static>>,
}

impl Rules {
    /// The rules stated by a guide set's markdown.
    pub fn from_guides(set: &GuideSet) -> Rules {
        let (catalog, docs) = Catalog::build_with_docs(set);
        Rules::from_catalog(&catalog, set, &docs)
    }

    /// The rules of a catalog already built (with the documents it came from, for advice).
    pub fn from_catalog(catalog: &Catalog, set: &GuideSet, docs: &[Doc]) -> Rules {
        let python_forms: Vec<(&Form, python::Import)> = catalog
            .forms()
            .iter()
            .filter(|f| is_python(f.lang.as_deref()))
            .filter_map(|f| {
                let imp = python::parse_imports(&f.import_line).into_iter().next()?;
                Some((f, imp))
            })
            .collect();
        let canonical: Vec<&(&Form, python::Import)> = python_forms
            .iter()
            .filter(|(f, _)| f.class == Some(Class::Canonical))
            .collect();
        let canonical_modules: HashSet<String> = canonical
            .iter()
            .map(|(_, i)| i.module.clone().unwrap_or_else(|| i.name.clone()))
            .collect();
        let mut rules = Rules::default();
        for (_, i) in &canonical {
            if let Some(m) = &i.module
                && !m.starts_with('.')
            {
                rules
                    .canonical
                    .entry(i.name.clone())
                    .or_insert_with(|| m.clone());
            }
        }
        for (form, imp) in &python_forms {
            let class = match form.class {
                Some(c @ (Class::Deprecated | Class::Problematic)) => c,
                _ => continue,
            };
            let (module, name) = match &imp.module {
                Some(m) if !m.starts_with('.') && imp.name != "*" => {
                    (m.clone(), Some(imp.name.clone()))
                }
                Some(_) => continue,
                None => (imp.name.clone(), None),
            };
            let replacement = name.as_ref().and_then(|n| {
                canonical.iter().find_map(|(f, i)| {
                    let m = i.module.as_ref()?;
                    (i.name == *n && *m != module).then(|| Replacement {
                        module: m.clone(),
                        import_line: f.import_line.clone(),
                        caveat: f.caveat.clone(),
                    })
                })
            });
            let rule = Rule {
                id: form.location(),
                class,
                module: module.clone(),
                name: name.clone(),
                reason: form.reason.clone(),
                notes: form.notes.clone(),
                guide_line_text: form.import_line.clone(),
                guide_line: form.line,
                guide_id: form.guide_id.clone(),
                replacement,
                advice: advice(set, docs, form),
            };
            let idx = rules.rules.len();
            match &name {
                Some(n) => {
                    rules
                        .symbols
                        .entry(module.clone())
                        .or_default()
                        .entry(n.clone())
                        .or_insert(idx);
                }
                None => {
                    rules.modules.entry(module.clone()).or_insert(idx);
                }
            }
            rules.rules.push(rule);
        }
        // Modules retired whole: every guide import from them is retired.
        let retired: Vec<(String, usize)> = rules
            .symbols
            .iter()
            .flat_map(|(m, names)| names.values().map(move |&i| (m.clone(), i)))
            .filter(|(m, _)| {
                !canonical_modules
                    .iter()
                    .any(|c| c == m || c.starts_with(&format!("{m}.")))
                    && !python_forms.iter().any(|(f, i)| {
                        f.class.is_none_or(|c| c == Class::Canonical)
                            && i.module.as_deref() == Some(m.as_str())
                    })
            })
            .collect();
        let mut retired = retired;
        retired.sort_by_key(|(_, i)| *i);
        for (m, i) in retired {
            rules.modules.entry(m).or_insert(i);
        }
        for (m, &i) in &rules.modules {
            if let Some((package, last)) = m.rsplit_once('.') {
                rules
                    .modules_by_package
                    .entry(package.to_string())
                    .or_default()
                    .insert(last.to_string(), i);
            }
        }
        rules.needles = needles(&rules);
        rules
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Every rule, in guide order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, index: usize) -> Option<&Rule> {
        self.rules.get(index)
    }

    /// The rule `from module import name` breaks, if any: a symbol rule on `module.name`,
    /// a module rule on `module` or a package above it, or a module rule on `module.name`
    /// itself (`from pkg import retired_module`).
    pub fn match_from(&self, module: &str, name: &str) -> Option<usize> {
        self.symbol(module, name)
            .or_else(|| self.match_module(module))
            .or_else(|| self.modules_by_package.get(module)?.get(name).copied())
    }

    /// The symbol rule on `module.name`.
    fn symbol(&self, module: &str, name: &str) -> Option<usize> {
        self.symbols.get(module)?.get(name).copied()
    }

    /// The module rule on `module` or a package above it.
    pub fn match_module(&self, module: &str) -> Option<usize> {
        let mut m = module;
        loop {
            if let Some(&i) = self.modules.get(m) {
                return Some(i);
            }
            m = parent(m)?;
        }
    }

    /// The rule a dotted path breaks (`import a.b.c`, `patch("a.b.C.attr")`): the path or
    /// a prefix of it is a retired module, or `M.S` of a symbol rule.
    pub fn match_path(&self, path: &str) -> Option<usize> {
        if let Some(i) = self.match_module(path) {
            return Some(i);
        }
        let mut prefix = path;
        loop {
            let m = parent(prefix)?;
            let s = &prefix[m.len() + 1..];
            if let Some(i) = self.symbol(m, s) {
                return Some(i);
            }
            prefix = m;
        }
    }

    /// The canonical module the guides import `name` from, if any.
    pub fn canonical_for(&self, name: &str) -> Option<&str> {
        self.canonical.get(name).map(String::as_str)
    }

    /// Whether `text` could hold a finding: it contains one of the words every finding's
    /// text must contain. Cheap (memchr's `memmem`); a scan tokenizes only these files.
    pub fn is_candidate(&self, text: &[u8]) -> bool {
        self.needles.iter().any(|f| f.find(text).is_some())
    }

    /// The words of [`Rules::is_candidate`].
    pub fn needle_words(&self) -> Vec<String> {
        self.needles
            .iter()
            .map(|f| String::from_utf8_lossy(f.needle()).into_owned())
            .collect()
    }
}

/// `a.b` for `a.b.c`: what is before the last dot.
fn parent(dotted: &str) -> Option<&str> {
    memchr::memrchr(b'.', dotted.as_bytes()).map(|i| &dotted[..i])
}

fn is_python(lang: Option<&str>) -> bool {
    match lang {
        None => true,
        Some(l) => matches!(
            l.to_ascii_lowercase().as_str(),
            "python" | "py" | "python3" | "py3" | "ipython" | "pyi"
        ),
    }
}

/// A finding's text always contains the retired name (symbol rules) or the last part of
/// the retired module (module rules; relative imports write no more than that). A word
/// containing another word adds nothing, so only the shortest are kept.
fn needles(rules: &Rules) -> Vec<memmem::Finder<'static>> {
    let mut words: Vec<String> = rules
        .symbols
        .values()
        .flat_map(|names| names.keys().cloned())
        .chain(
            rules
                .modules
                .keys()
                .map(|m| m.rsplit('.').next().unwrap_or(m).to_string()),
        )
        .collect();
    words.sort_by_key(|w| (w.len(), w.clone()));
    words.dedup();
    let mut kept: Vec<String> = Vec::new();
    for w in words {
        if !kept.iter().any(|k| w.contains(k.as_str())) {
            kept.push(w);
        }
    }
    kept.into_iter()
        .map(|w| memmem::Finder::new(w.as_bytes()).into_owned())
        .collect()
}

/// The OLD/NEW advice for a retired form: in the block that retires it, the code lines
/// after the next `# NEW`/`# CANONICAL` marker that are not imports, prefixed with the
/// marker's words.
fn advice(set: &GuideSet, docs: &[Doc], form: &Form) -> Vec<String> {
    let (Some(guide), Some(doc)) = (set.guides.get(form.guide), docs.get(form.guide)) else {
        return Vec::new();
    };
    let Some(code) = doc.code_blocks.iter().find(|c| c.block == form.block) else {
        return Vec::new();
    };
    let Some(block) = doc.blocks.get(code.block) else {
        return Vec::new();
    };
    let first_line = guide.body_line as u32 + block.line;
    let Some(at) = form.line.checked_sub(first_line) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut words: Option<Option<String>> = None;
    for line in code.display.lines().skip(at as usize + 1) {
        if let Some((class, reason)) = classify::marker(line) {
            if class != Class::Canonical {
                if words.is_some() {
                    break;
                }
                continue;
            }
            words = Some(reason);
            continue;
        }
        let t = line.trim();
        let Some(reason) = &words else { continue };
        if t.is_empty() || t.starts_with('#') || t.starts_with("from ") || t.starts_with("import ")
        {
            continue;
        }
        let text = match reason {
            Some(r) => format!("{r}: {t}"),
            None => t.to_string(),
        };
        out.push(crate::sanitize::sanitize_line(&text));
    }
    out
}

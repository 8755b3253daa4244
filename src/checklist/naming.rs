//! File names of migration files in version 2: `<state file>.d/<set>/<name>.json`.
//!
//! - `<set>`: 8 hex digits of the FNV-1a hash of the guide set's key (keys are long
//!   paths; the hash is stable across runs, platforms and builds).
//! - `<name>`: the migration name percent-encoded: ASCII letters, digits, `-` and `_`
//!   stay, and `.` except in front; every other byte of its UTF-8 becomes `%XX`. So
//!   `tests/unit` → `tests%2Funit`, `PR-1234` → `PR-1234`. Past 100 bytes it is cut and
//!   `~` plus the hash of the whole name is appended, to stay under file-name limits.
//! - If the result is taken (by another migration, also when only the case differs, or by
//!   any file already on disk), `~2`, `~3`, … is added. `~` never comes out of the
//!   encoding, so these never clash with an encoded name.
//!
//! The name is chosen once, when the file is first written, and recorded in the index
//! (`file`), which is what reading goes by; renaming the migration writes a new file.

/// FNV-1a, 64 bits: small, stable and good enough to tell names apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn short_hash(s: &str) -> String {
    format!("{:08x}", fnv1a(s.as_bytes()) as u32)
}

/// The folder of a set's migration files, relative to `<state file>.d`.
pub fn set_dir(set: &str) -> String {
    short_hash(set)
}

const MAX_STEM: usize = 100;

/// The file-safe form of a migration name, without suffix or extension.
pub fn stem(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, b) in name.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || (b == b'.' && i > 0);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.len() > MAX_STEM {
        let mut cut = MAX_STEM - 12;
        // Never split an `%XX`.
        while out.as_bytes().get(cut.saturating_sub(1)) == Some(&b'%')
            || out.as_bytes().get(cut.saturating_sub(2)) == Some(&b'%')
        {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('~');
        out.push_str(&short_hash(name));
    }
    out
}

/// The `n`th candidate (from 1) for a migration's file, relative to `<state file>.d`.
pub fn candidate(set: &str, name: &str, n: usize) -> String {
    let suffix = if n > 1 {
        format!("~{n}")
    } else {
        String::new()
    };
    format!("{}/{}{suffix}.json", set_dir(set), stem(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_safe_stable_files() {
        assert_eq!(stem("tests/unit"), "tests%2Funit");
        assert_eq!(stem("PR-1234"), "PR-1234");
        assert_eq!(stem("auth_service.v2"), "auth_service.v2");
        assert_eq!(stem(".."), "%2E.");
        assert_eq!(stem("a b\\c:é"), "a%20b%5Cc%3A%C3%A9");
        assert_eq!(set_dir("bundled"), set_dir("bundled"), "stable");
        assert_ne!(set_dir("bundled"), set_dir("dir:/x"));
        assert_eq!(set_dir("bundled").len(), 8);
        let c = candidate("bundled", "tests/unit", 2);
        assert!(c.ends_with("/tests%2Funit~2.json"), "{c}");
        assert!(super::super::upgrade::safe_file(&c));
    }

    #[test]
    fn long_names_are_cut_and_told_apart_by_a_hash() {
        let a = "é".repeat(200);
        let b = format!("{}x", "é".repeat(199));
        let (sa, sb) = (stem(&a), stem(&b));
        assert!(sa.len() <= MAX_STEM, "{}", sa.len());
        assert_ne!(sa, sb);
        let cut = sa.split('~').next().unwrap_or_default();
        assert!(cut.len() % 3 == 0, "no half escape: {cut}");
    }
}

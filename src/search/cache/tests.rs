use super::*;

fn set_of(dir: &Path, files: &[(&str, &str)]) -> GuideSet {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    GuideSet::from_dir(dir).expect("loads")
}

const A: &str = "# Alpha\n\nThe lifetime of a thing.\n\n```rust\nfn lifetime() {}\n```\n";
const B: &str = "# Beta\n\n## Setup\n\n- [ ] one\n- [x] two\n\nOther words.\n";

#[test]
fn a_second_call_reuses_every_part_and_gives_the_same_index() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    let set = set_of(guides.path(), &[("a.md", A), ("b.md", B)]);
    let (first, stats) = parts_cached_in(&set, &file);
    assert_eq!((stats.reused, stats.parsed, stats.written), (0, 2, true));
    let (second, stats) = parts_cached_in(&set, &file);
    assert_eq!((stats.reused, stats.parsed, stats.written), (2, 0, false));
    assert_eq!(first, second);
    let fresh = crate::search::Index::build(&set).query("lifetime", 10);
    let cached = crate::search::Index::from_parts(second.iter().enumerate()).query("lifetime", 10);
    assert_eq!(fresh, cached);
    assert_eq!(cached.len(), 2);
    assert_eq!(second[1].tasks, 2);
    assert_eq!(second[1].headings[1].anchor, "setup");
}

#[test]
fn only_a_changed_guide_is_parsed_again() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    let set = set_of(guides.path(), &[("a.md", A), ("b.md", B)]);
    parts_cached_in(&set, &file);
    // Same size, same second: only the text tells.
    let edited = B.replace("Other", "Fresh");
    let set = set_of(guides.path(), &[("b.md", &edited)]);
    let (parts, stats) = parts_cached_in(&set, &file);
    assert_eq!((stats.reused, stats.parsed), (1, 1));
    assert!(parts[1].orig.contains("Fresh words."));
}

#[test]
fn a_damaged_or_foreign_cache_is_rebuilt() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    let set = set_of(guides.path(), &[("a.md", A), ("b.md", B)]);
    parts_cached_in(&set, &file);
    let good = std::fs::read(&file).expect("read");
    let damaged: Vec<Vec<u8>> = vec![
        good[..good.len() / 2].to_vec(),
        {
            let mut d = good.clone();
            let last = d.len() - 3;
            d[last] ^= 0xff;
            d
        },
        {
            let mut d = good.clone();
            d[8] = 99; // another version
            d
        },
        Vec::new(),
        b"not a cache at all".to_vec(),
    ];
    for bytes in damaged {
        std::fs::write(&file, &bytes).expect("write");
        let (parts, stats) = parts_cached_in(&set, &file);
        assert_eq!((stats.reused, stats.parsed, stats.written), (0, 2, true));
        assert_eq!(parts[0].headings[0].text, "Alpha");
        assert_eq!(std::fs::read(&file).expect("read"), good, "rewritten whole");
    }
}

#[test]
fn every_truncation_of_a_cache_decodes_to_nothing_without_panicking() {
    let guides = tempfile::tempdir().expect("tempdir");
    let set = set_of(guides.path(), &[("a.md", A), ("b.md", B)]);
    let parts: Vec<GuidePart> = set.guides.iter().map(parse_part).collect();
    let keys: Vec<Key> = set.guides.iter().map(Key::of).collect();
    let bytes = encode(&set, &keys, &parts);
    assert!(decode(&bytes).is_some());
    for n in 0..bytes.len() {
        assert!(decode(&bytes[..n]).is_none(), "cut at {n}");
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_in_place_of_the_cache_is_neither_read_nor_replaced() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let set = set_of(guides.path(), &[("a.md", A)]);
    let target = cache.path().join("elsewhere");
    std::fs::write(&target, "precious").expect("write");
    let file = cache.path().join("c.bin");
    std::os::unix::fs::symlink(&target, &file).expect("symlink");
    let (_, stats) = parts_cached_in(&set, &file);
    assert_eq!((stats.reused, stats.written), (0, false));
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "precious");
    let leftovers: Vec<_> = std::fs::read_dir(cache.path())
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn writers_at_the_same_time_leave_one_whole_file() {
    let guides = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let file = cache.path().join("c.bin");
    let set = set_of(guides.path(), &[("a.md", A), ("b.md", B)]);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..10 {
                    let _ = std::fs::remove_file(&file);
                    let (parts, _) = parts_cached_in(&set, &file);
                    assert_eq!(parts.len(), 2);
                }
            });
        }
    });
    let (_, stats) = parts_cached_in(&set, &file);
    assert_eq!(stats.reused, 2, "the survivor is complete");
}

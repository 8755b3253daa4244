//! How the reader's process asks the C allocator to hand memory back.
//!
//! A reader keeps a guide's text, document, layout and search index for as long as it
//! runs, and builds them in passes that allocate large buffers for a moment (a file read
//! whole, a piece of the document being parsed, a layout replaced after a resize). glibc
//! serves a large request from its own heap once a large block has been freed (its
//! mmap threshold rises with the largest block freed, up to 32 MB), and memory freed
//! inside that heap stays part of the process: a 392k-line guide peaked about 10 MB
//! higher than the data it held. A fixed threshold keeps every block of 256 KiB or more
//! in its own mapping, returned to the system the moment it is freed; the cost is a
//! `mmap` per such block, a few hundred for the largest guide.
//!
//! Only the reader does this: the command-line tools run for milliseconds and their
//! speed budgets were measured with the allocator as it comes. What it saves is a
//! figure of `python3 benches/measure.py growth` (peak memory), not a unit test: the
//! resident size of a test process that runs tests on many threads is not repeatable.

/// Blocks from this size on get their own mapping.
const OWN_MAPPING_FROM: usize = 256 * 1024;

/// Sets the fixed threshold (glibc only; other C libraries keep their own policy).
pub fn return_large_blocks_when_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes a tuning value of the allocator; it is called
        // before the reader starts its threads.
        let _ = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_MAPPING_FROM as libc::c_int) };
    }
}

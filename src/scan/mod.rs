//! Checking code against the guides: the deprecated and problematic imports the guides
//! name, found in a code base, explained in the guides' words, and fixed where the guides
//! give a one-to-one replacement.

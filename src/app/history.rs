//! Back and forward through the places the reader jumped between, like a browser's.

use super::Location;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    back: Vec<Location>,
    forward: Vec<Location>,
}

impl History {
    /// A jump from `from` landed on `to`: `from` becomes a place to go back to, and the
    /// forward list is dropped. A jump that went nowhere is not recorded.
    pub fn record(&mut self, from: Location, to: Location) {
        if from != to {
            self.back.push(from);
            self.forward.clear();
        }
    }

    /// Where `b` goes from `here`, remembering `here` for `f`.
    pub fn back(&mut self, here: Location) -> Option<Location> {
        let to = self.back.pop()?;
        self.forward.push(here);
        Some(to)
    }

    /// Where `f` goes from `here`, remembering `here` for `b`.
    pub fn forward(&mut self, here: Location) -> Option<Location> {
        let to = self.forward.pop()?;
        self.back.push(here);
        Some(to)
    }

    /// Moves every place to where `f` says it went; places `f` drops are forgotten.
    pub fn remap(&mut self, f: impl Fn(Location) -> Option<Location>) {
        self.back = self.back.iter().filter_map(|&l| f(l)).collect();
        self.forward = self.forward.iter().filter_map(|&l| f(l)).collect();
    }

    /// Forgets everything behind: where the reader started is not a place to go back to.
    pub fn clear_back(&mut self) {
        self.back.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(guide: usize, block: usize) -> Location {
        Location { guide, block }
    }

    #[test]
    fn back_and_forward_retrace_jumps_and_a_new_jump_drops_forward() {
        let mut h = History::default();
        h.record(at(0, 0), at(1, 0));
        h.record(at(1, 0), at(1, 0));
        h.record(at(1, 0), at(2, 5));
        assert_eq!(h.back(at(2, 5)), Some(at(1, 0)));
        assert_eq!(h.back(at(1, 0)), Some(at(0, 0)));
        assert_eq!(
            h.back(at(0, 0)),
            None,
            "a jump to the same place was not recorded"
        );
        assert_eq!(h.forward(at(0, 0)), Some(at(1, 0)));
        h.record(at(1, 0), at(3, 0));
        assert_eq!(h.forward(at(3, 0)), None);
    }
}

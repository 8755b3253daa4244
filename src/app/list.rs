//! The one rule every list follows (sidebar, start screen, migrations panel, finder,
//! messages): the selected item is always on screen, and the view moves only as far as it
//! must to show it. Items may be several rows tall.

/// The first item to draw so that `selected` is visible in `room` rows, with items as
/// tall as `height(i)` says. Scrolling down, the selection sits at the bottom edge;
/// the view never starts past the selection.
pub fn first_visible(selected: usize, room: usize, height: impl Fn(usize) -> usize) -> usize {
    if room == 0 {
        return selected;
    }
    let mut used = height(selected).max(1);
    let mut first = selected;
    while first > 0 {
        let h = height(first - 1).max(1);
        if used + h > room {
            break;
        }
        used += h;
        first -= 1;
    }
    first
}

/// `selected` moved by `delta` within `len` items, stopping at either end.
pub fn step(selected: usize, delta: isize, len: usize) -> usize {
    selected
        .saturating_add_signed(delta)
        .min(len.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_stays_on_screen_with_one_row_items() {
        assert_eq!(first_visible(0, 10, |_| 1), 0);
        assert_eq!(first_visible(9, 10, |_| 1), 0);
        assert_eq!(first_visible(10, 10, |_| 1), 1);
        assert_eq!(first_visible(39, 10, |_| 1), 30);
    }

    #[test]
    fn tall_items_scroll_by_whole_items() {
        // Three rows each: three fit in ten rows.
        assert_eq!(first_visible(2, 10, |_| 3), 0);
        assert_eq!(first_visible(3, 10, |_| 3), 1);
        // An item taller than the room still starts the view.
        assert_eq!(first_visible(5, 2, |_| 4), 5);
    }

    #[test]
    fn steps_stop_at_the_ends() {
        assert_eq!(step(0, -1, 5), 0);
        assert_eq!(step(3, 10, 5), 4);
        assert_eq!(step(0, 1, 0), 0);
    }
}

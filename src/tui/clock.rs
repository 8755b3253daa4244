//! Wall-clock times as the user reads them: the local `HH:MM` of a moment. The one place
//! the reader asks the system for its time zone.

use std::time::SystemTime;

/// `14:02` in the local time zone; UTC where the zone cannot be read.
pub fn local_hhmm(t: SystemTime) -> String {
    local(t).unwrap_or_else(|| {
        // `2026-12-01T14:02:00Z`: the hours and minutes sit at 11..16.
        let utc = humantime::format_rfc3339_seconds(t).to_string();
        utc.get(11..16).unwrap_or("--:--").to_string()
    })
}

#[cfg(unix)]
fn local(t: SystemTime) -> Option<String> {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
    let secs = libc::time_t::try_from(secs).ok()?;
    // SAFETY: `tm` is plain data that localtime_r fills in; both pointers are valid for
    // the call, and localtime_r (unlike localtime) keeps no shared state.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return None;
        }
        tm
    };
    Some(format!("{:02}:{:02}", tm.tm_hour, tm.tm_min))
}

#[cfg(not(unix))]
fn local(_t: SystemTime) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_reads_as_hours_and_minutes() {
        let t = humantime::parse_rfc3339("2026-12-01T14:02:59Z").expect("time");
        let s = local_hhmm(t);
        let b = s.as_bytes();
        assert_eq!(b.len(), 5, "{s}");
        assert_eq!(b[2], b':', "{s}");
        assert!(
            b.iter()
                .enumerate()
                .all(|(i, c)| i == 2 || c.is_ascii_digit()),
            "{s}"
        );
    }
}

//! A progress line on standard error (进度) for long command-line runs: units done, units per
//! second and, when the input's size is known, how far along and how long is left.
//!
//! It redraws at most every [`REDRAW`], draws nothing for runs shorter than that, is silent
//! when standard error is not a terminal or when asked to be quiet, and clears its line when
//! finished (or dropped), so what the run prints after it starts on a clean line.

use crate::messages::Lang;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// The least time between two redraws (and before the first).
pub const REDRAW: Duration = Duration::from_millis(100);

/// A progress line; see the module docs.
pub struct Progress {
    /// Where the line is drawn; `None`: silent.
    out: Option<Box<dyn Write>>,
    total: Option<u64>,
    started: Instant,
    last_draw: Option<Instant>,
    /// Whether a line is on the screen to clear.
    shown: bool,
    /// The language of the line.
    lang: Lang,
}

impl Progress {
    /// A progress line on standard error, for input of `total_bytes` bytes when known; silent
    /// when `quiet` or when standard error is not a terminal.
    pub fn new(total_bytes: Option<u64>, quiet: bool, lang: Lang) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            Self::silent()
        } else {
            Self::to_writer(total_bytes, Box::new(std::io::stderr()), lang)
        }
    }

    /// A progress line in `lang` drawn on `out`, terminal or not.
    pub fn to_writer(total_bytes: Option<u64>, out: Box<dyn Write>, lang: Lang) -> Self {
        Self {
            out: Some(out),
            total: total_bytes,
            started: Instant::now(),
            last_draw: None,
            shown: false,
            lang,
        }
    }

    /// A progress line that never draws.
    pub fn silent() -> Self {
        Self {
            out: None,
            total: None,
            started: Instant::now(),
            last_draw: None,
            shown: false,
            lang: Lang::En,
        }
    }

    /// Whether this progress line draws nothing.
    #[cfg(test)]
    fn is_silent(&self) -> bool {
        self.out.is_none()
    }

    /// Records that `units` units are done and the input has been read up to byte `bytes_pos`;
    /// redraws when [`REDRAW`] has passed since the last time.
    pub fn advance(&mut self, units: u64, bytes_pos: u64) {
        self.advance_at(units, bytes_pos, Instant::now());
    }

    fn advance_at(&mut self, units: u64, bytes_pos: u64, now: Instant) {
        let Some(out) = &mut self.out else { return };
        let since = self.last_draw.unwrap_or(self.started);
        if now.saturating_duration_since(since) < REDRAW {
            return;
        }
        self.last_draw = Some(now);
        let text = line(
            units,
            bytes_pos,
            self.total,
            now.saturating_duration_since(self.started),
            self.lang,
        );
        // A progress line that cannot be drawn is not worth stopping the run for.
        let _ = write!(out, "\r{text}\x1b[K");
        let _ = out.flush();
        self.shown = true;
    }

    /// Clears the line, if one was drawn; later calls do nothing.
    pub fn finish(&mut self) {
        if let Some(out) = &mut self.out {
            if self.shown {
                let _ = write!(out, "\r\x1b[K");
                let _ = out.flush();
                self.shown = false;
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The progress line's text: `12,345 units · 3,210 units/s · 45% · ETA 0:12`, or in zh-CN
/// `12,345 个单位 · 每秒 3,210 个 · 45% · 剩余 0:12`; the percentage and the time left only
/// when `total_bytes` is known, the rate once any time has passed.
pub fn line(
    units: u64,
    bytes_pos: u64,
    total_bytes: Option<u64>,
    elapsed: Duration,
    lang: Lang,
) -> String {
    let zh = lang == Lang::Zh;
    let mut parts = vec![if zh {
        format!("{} 个单位", thousands(units))
    } else {
        format!(
            "{} unit{}",
            thousands(units),
            if units == 1 { "" } else { "s" }
        )
    }];
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        let rate = units as f64 / secs;
        let rate = if rate < 10.0 {
            format!("{rate:.1}")
        } else {
            thousands(rate.round() as u64)
        };
        parts.push(if zh {
            format!("每秒 {rate} 个")
        } else {
            format!("{rate} units/s")
        });
    }
    if let Some(total) = total_bytes.filter(|t| *t > 0) {
        let done = bytes_pos.min(total);
        parts.push(format!("{}%", done * 100 / total));
        if done > 0 && done < total && secs > 0.0 {
            let left = clock((secs * (total - done) as f64 / done as f64).round() as u64);
            parts.push(if zh {
                format!("剩余 {left}")
            } else {
                format!("ETA {left}")
            });
        }
    }
    parts.join(" · ")
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Seconds as `M:SS`, or `H:MM:SS` from an hour on.
fn clock(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// A writer whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.borrow()).into_owned()
        }
    }

    #[test]
    fn the_line_shows_units_rate_percent_and_time_left() {
        let ten_s = Duration::from_secs(10);
        assert_eq!(
            line(12_345, 250, Some(1000), ten_s, Lang::En),
            "12,345 units · 1,235 units/s · 25% · ETA 0:30"
        );
        assert_eq!(
            line(12_345, 250, Some(1000), ten_s, Lang::Zh),
            "12,345 个单位 · 每秒 1,235 个 · 25% · 剩余 0:30"
        );
        assert_eq!(line(1, 0, None, Duration::ZERO, Lang::En), "1 unit");
        assert_eq!(line(35, 0, None, ten_s, Lang::En), "35 units · 3.5 units/s");
        assert_eq!(
            line(2_000_000, 1, Some(4000), Duration::from_secs(2), Lang::En),
            "2,000,000 units · 1,000,000 units/s · 0% · ETA 2:13:18"
        );
        // Done, or read past a total that was too small: no time left to show.
        assert_eq!(
            line(10, 5000, Some(4000), ten_s, Lang::En),
            "10 units · 1.0 units/s · 100%"
        );
    }

    #[test]
    fn numbers_and_times_read_easily() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(75), "1:15");
        assert_eq!(clock(3600 + 61), "1:01:01");
    }

    #[test]
    fn redraws_at_most_every_tenth_of_a_second_and_clears_when_finished() {
        let out = Shared::default();
        let mut p = Progress::to_writer(Some(100), Box::new(out.clone()), Lang::En);
        let t0 = p.started;
        p.advance_at(1, 10, t0 + Duration::from_millis(50));
        assert_eq!(out.text(), "", "nothing for the first tenth of a second");
        p.advance_at(2, 20, t0 + Duration::from_millis(200));
        p.advance_at(3, 30, t0 + Duration::from_millis(250));
        p.advance_at(4, 40, t0 + Duration::from_millis(400));
        assert_eq!(
            out.text(),
            "\r2 units · 10 units/s · 20% · ETA 0:01\x1b[K\r4 units · 10 units/s · 40% · ETA 0:01\x1b[K"
        );
        p.finish();
        p.finish();
        drop(p);
        assert!(
            out.text().ends_with("ETA 0:01\x1b[K\r\x1b[K"),
            "cleared once"
        );
    }

    #[test]
    fn a_silent_or_short_run_writes_nothing() {
        let mut p = Progress::new(Some(100), true, Lang::En);
        assert!(p.is_silent());
        p.advance(5, 50);
        p.finish();
        let out = Shared::default();
        let mut p = Progress::to_writer(None, Box::new(out.clone()), Lang::En);
        p.advance(5, 50);
        drop(p);
        assert_eq!(
            out.text(),
            "",
            "a run shorter than a tenth of a second draws nothing"
        );
    }
}

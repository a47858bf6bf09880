//! Minimal levelled logging to stderr; reports never go here.

use std::sync::atomic::{AtomicU8, Ordering};

static LEVEL: AtomicU8 = AtomicU8::new(1);

/// Sets verbosity: 0 quiet (errors only), 1 normal, 2 verbose.
pub fn set_level(level: u8) {
    LEVEL.store(level, Ordering::Relaxed);
}

/// Current verbosity.
pub fn level() -> u8 {
    LEVEL.load(Ordering::Relaxed)
}

/// The process's peak resident memory so far, for `-v` (Linux; empty elsewhere).
pub fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        })
        .map(|kb| format!(", peak memory {} MB", kb / 1024))
        .unwrap_or_default()
}

/// Writes one line to stderr when the verbosity allows it. Whatever the line quotes (file
/// names, job names, key ids, API messages) may be hostile: control and bidirectional
/// characters are shown as `\u{…}` escapes, so one problem is always exactly one line and
/// nothing can move the cursor, recolour the terminal or forge a second `error:` line.
#[allow(clippy::print_stderr)]
pub fn emit(min_level: u8, line: std::fmt::Arguments<'_>) {
    if level() >= min_level {
        let text = line.to_string();
        eprintln!("{}", crate::text::visible(&text));
    }
}

/// An error line, shown even with `-q`.
#[macro_export]
macro_rules! error {
    ($($t:tt)*) => { $crate::log::emit(0, format_args!("error: {}", format_args!($($t)*))) };
}

/// A warning line.
#[macro_export]
macro_rules! warn {
    ($($t:tt)*) => { $crate::log::emit(1, format_args!("warning: {}", format_args!($($t)*))) };
}

/// A normal progress or summary line.
#[macro_export]
macro_rules! info {
    ($($t:tt)*) => { $crate::log::emit(1, format_args!($($t)*)) };
}

/// Detail shown with `-v`.
#[macro_export]
macro_rules! debug {
    ($($t:tt)*) => { $crate::log::emit(2, format_args!($($t)*)) };
}

/// A "files read" counter redrawn on stderr while offline ingestion runs, only when stderr is
/// a terminal and output is not quiet. Dropping it clears the line.
pub struct Progress {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Starts the counter if it should be shown.
    #[allow(clippy::print_stderr)]
    pub fn files_read() -> Progress {
        use std::io::IsTerminal;
        if level() < 1 || !std::io::stderr().is_terminal() {
            return Progress {
                stop: None,
                thread: None,
            };
        }
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let tick = std::time::Duration::from_millis(200);
            while rx.recv_timeout(tick) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                let n = crate::ingest::FILES_READ.load(std::sync::atomic::Ordering::Relaxed);
                eprint!("\rsagemaker-audit: {n} files read");
            }
            eprint!("\r\x1b[K");
        });
        Progress {
            stop: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

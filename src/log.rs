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

/// Writes one line to stderr when the verbosity allows it.
#[allow(clippy::print_stderr)]
pub fn emit(min_level: u8, line: std::fmt::Arguments<'_>) {
    if level() >= min_level {
        eprintln!("{line}");
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

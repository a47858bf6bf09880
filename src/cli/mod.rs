//! Command-line interface: the flags ([`args`]), their validation into configuration
//! ([`valid`]), running a command ([`run`]) and the one-line summary on stderr ([`summary`]).
//! Every failure is one typed [`Failure`] with its exit code.

mod args;
mod run;
mod summary;
mod valid;

use std::process::ExitCode;

pub use args::*;
pub use run::exit_code;

/// Documented exit codes.
pub mod exit {
    /// Nothing failing at or above `--fail-on`.
    pub const CLEAN: u8 = 0;
    /// Failing findings.
    pub const FAILURES: u8 = 1;
    /// Usage or configuration error.
    pub const USAGE: u8 = 2;
    /// Some input could not be evaluated (takes precedence over 1).
    pub const INCOMPLETE: u8 = 3;
    /// The scan ran but its reports could not be written.
    pub const OUTPUT: u8 = 4;
}

/// Why a command stopped before it could finish; each maps to one exit code.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The command line or a configuration file is wrong (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// The reports (or `collect`'s files) could not be written (exit code 4).
    #[error("{0}")]
    Output(String),
}

impl Failure {
    /// The exit code this failure ends the process with.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => exit::USAGE,
            Failure::Output(_) => exit::OUTPUT,
        }
    }
}

/// A usage failure (exit code 2).
fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

/// Reports a command-line error as one line naming the problem (exit code 2); help and version
/// requests print as clap renders them.
pub fn parse_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(if e.use_stderr() {
            exit::USAGE
        } else {
            exit::CLEAN
        });
    }
    // clap spreads one problem over several lines (the problem, possible values, a tip, the
    // usage and a pointer to --help); keep what names the problem, on one line.
    let rendered = e.render().to_string();
    let parts: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .collect();
    let line = parts.join("; ");
    crate::error!(
        "{} (see --help)",
        line.strip_prefix("error: ").unwrap_or(&line)
    );
    ExitCode::from(exit::USAGE)
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    crate::log::set_level(match (cli.quiet, cli.verbose) {
        (true, _) => 0,
        (_, true) => 2,
        _ => 1,
    });
    let result = match cli.command {
        Command::Scan(args) => run::scan(args),
        Command::Merge(args) => run::merge(args),
        #[cfg(feature = "aws")]
        Command::Collect(args) => run::collect(args),
        Command::Completions(args) => run::completions(&args),
        Command::Kinds(args) => run::kinds(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            crate::error!("{e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// The command-line definition, for the documents generated from it ([`crate::docs`]).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command()
}

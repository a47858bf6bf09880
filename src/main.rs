//! `sagemaker-audit` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    sagemaker_audit::cli::run(sagemaker_audit::cli::Cli::parse())
}

//! `sagemaker-audit` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

// Parsing 100,000 documents on every core allocates and frees millions of small strings
// across threads; mimalloc does that without the contention of the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    sagemaker_audit::cli::run(sagemaker_audit::cli::Cli::parse())
}

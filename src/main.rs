//! `sagemaker-audit` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

// Parsing 100,000 documents on every core allocates and frees millions of small strings
// across threads; mimalloc does that without the contention of the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match sagemaker_audit::cli::Cli::try_parse() {
        Ok(cli) => sagemaker_audit::cli::run(cli),
        Err(e) => sagemaker_audit::cli::parse_error(e),
    }
}

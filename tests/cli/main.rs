#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Integration tests: drive the real `sagemaker-audit` binary over fixtures.
//! One test binary on purpose: each extra binary links everything again.

mod common;

mod accounts;
mod audit;
mod bad_input;
mod csv_readback;
mod exit_codes;
mod formats;
mod hardening;
mod hostile;
mod imports;
mod install;
mod pipelines;
mod samples;
mod sarif;
mod sdk_config;
mod state_machines;
mod streams;
mod templates;

//! sagemaker-audit: checks Amazon SageMaker training jobs for customer-managed KMS
//! encryption of their training volumes and output artifacts.
//!
//! Data flows one way: [`ingest`] turns saved API documents into [`model::TrainingJob`]s
//! and [`kms::KeyFacts`]; [`rules`] turn each job into [`report::Finding`]s; the
//! [`report::Report`] is the only thing the writers in [`render`] see.

#[cfg(feature = "aws")]
pub mod aws;
pub mod baseline;
pub mod cli;
pub mod fsutil;
pub mod ingest;
pub mod kms;
pub mod layout;
pub mod log;
pub mod manifest;
pub mod merge;
pub mod model;
pub mod render;
pub mod report;
pub mod rules;
pub mod scan;
pub mod text;
pub mod waivers;

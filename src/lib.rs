//! sagemaker-audit: checks Amazon SageMaker jobs (training, processing, batch transform,
//! hyperparameter tuning, AutoML) for customer-managed KMS encryption of their storage
//! volumes and outputs.
//!
//! Data flows one way: inputs ([`ingest`], or [`aws`] live) → documents → [`resource::Resource`]s
//! (one parser per kind in [`kinds`]) and [`kms::KeyFacts`] → findings ([`rules`], through
//! [`scan`]) → audit annotations ([`audit`]: waivers, baseline, framework) →
//! [`report::Report`] → the writers in [`render`]. [`verdict`] is the shared vocabulary.

pub mod audit;
#[cfg(feature = "aws")]
pub mod aws;
pub mod baseline;
#[cfg(feature = "aws")]
pub mod calls;
pub mod catalogue;
pub mod cli;
pub mod docs;
pub mod document;
pub mod expr;
pub mod fsutil;
pub mod ingest;
pub mod inherit;
pub mod kinds;
pub mod kms;
pub mod layout;
pub mod log;
pub mod manifest;
pub mod merge;
pub mod model;
pub mod paging;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod resource;
pub mod rules;
pub mod scan;
pub mod schema;
pub mod sdk_config;
pub mod text;
pub mod verdict;
pub mod waivers;

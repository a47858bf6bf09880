//! The accounts a scan covers: the caller's own (the default), a list given with `--accounts`,
//! or every active account of the AWS Organization (`--organization`, from the management or a
//! delegated administrator account), each reached by assuming `--role-name` through STS.
//!
//! An account whose role cannot be assumed is one ERROR, named in the manifest; the others are
//! still scanned. The caller's own account is used directly when it is in the list. Assumed
//! credentials sit behind the SDK's identity cache, which renews them before they expire, so a
//! scan longer than the role's session still works.

use aws_config::SdkConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_credential_types::provider::SharedCredentialsProvider;

use super::LiveError;
use crate::manifest::{FailedCall, Manifest};

/// Which accounts to scan and how to reach them, already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountScope {
    /// `--accounts`: these accounts.
    pub accounts: Vec<String>,
    /// `--organization`: every active account of the organization.
    pub organization: bool,
    /// `--exclude-accounts`.
    pub exclude: Vec<String>,
    /// `--role-name`: the role assumed in every account but the caller's.
    pub role_name: Option<String>,
    /// `--external-id`, passed to every `AssumeRole`.
    pub external_id: Option<String>,
}

impl AccountScope {
    /// True when the scan names its accounts (else it covers the caller's account only, as
    /// before, without any STS or Organizations call).
    pub fn is_multi_account(&self) -> bool {
        self.organization || !self.accounts.is_empty()
    }
}

/// One account to scan with credentials for it. `account` is `None` for the caller's account
/// in a single-account scan, where no call establishes its id.
#[derive(Debug, Clone)]
pub(super) struct Target {
    pub account: Option<String>,
    pub sdk: SdkConfig,
}

/// The accounts to scan, each with its credentials. Accounts that cannot be reached are
/// recorded in `manifest` (a failed call each, and `accounts_failed`) and left out.
pub(super) async fn targets(
    sdk: &SdkConfig,
    scope: &AccountScope,
    manifest: &mut Manifest,
    generated_at: &str,
) -> Result<Vec<Target>, LiveError> {
    if !scope.is_multi_account() {
        return Ok(vec![Target {
            account: None,
            sdk: sdk.clone(),
        }]);
    }
    let (caller, partition) = caller_identity(sdk).await?;
    let mut accounts = if scope.organization {
        let members = organization_accounts(sdk).await?;
        for id in members.unknown {
            if !scope.exclude.contains(&id) {
                fail(
                    manifest,
                    &id,
                    "organizations:ListAccounts gave neither State nor Status for it, so \
                     whether it is active is unknown"
                        .to_owned(),
                );
            }
        }
        members.active
    } else {
        scope.accounts.clone()
    };
    accounts.sort();
    accounts.dedup();
    accounts.retain(|a| !scope.exclude.contains(a));
    if accounts.is_empty() {
        return Err(LiveError::Accounts(
            "no account left to scan after --exclude-accounts".to_owned(),
        ));
    }
    let session = session_name(generated_at);
    // Every account's role at once: a thousand accounts must not take a thousand round trips.
    let reached = futures_util::future::join_all(accounts.into_iter().map(|account| {
        let (caller, partition, session) = (&caller, &partition, &session);
        async move {
            let result = reach(sdk, scope, &account, caller, partition, session).await;
            (account, result)
        }
    }))
    .await;
    let mut out = Vec::with_capacity(reached.len());
    for (account, result) in reached {
        match result {
            Ok(sdk) => out.push(Target {
                account: Some(account),
                sdk,
            }),
            Err(message) => fail(manifest, &account, message),
        }
    }
    Ok(out)
}

/// Credentials for one account: the caller's own, or its role's.
async fn reach(
    sdk: &SdkConfig,
    scope: &AccountScope,
    account: &str,
    caller: &str,
    partition: &str,
    session: &str,
) -> Result<SdkConfig, String> {
    if account == caller {
        return Ok(sdk.clone());
    }
    let Some(role) = &scope.role_name else {
        return Err(format!(
            "account {account} is not the caller's ({caller}) and no --role-name was given to reach it"
        ));
    };
    let role_arn = format!("arn:{partition}:iam::{account}:role/{role}");
    // Assume once now: a role that cannot be assumed is one ERROR for its account, not one per
    // call. The provider then assumes it again whenever its credentials near expiry.
    let mut check = aws_sdk_sts::Client::new(sdk)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name(session);
    if let Some(id) = &scope.external_id {
        check = check.external_id(id);
    }
    if let Err(e) = check.send().await {
        return Err(format!(
            "cannot assume {role_arn}: {}",
            super::describe_error(&e).1
        ));
    }
    let mut builder = AssumeRoleProvider::builder(role_arn)
        .session_name(session)
        .configure(sdk);
    if let Some(id) = &scope.external_id {
        builder = builder.external_id(id.clone());
    }
    let provider = builder.build().await;
    Ok(sdk
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build())
}

/// Records an account that cannot be scanned (the scan reports it as an ERROR).
fn fail(manifest: &mut Manifest, account: &str, message: String) {
    manifest.accounts_failed.push(account.to_owned());
    manifest.failed_calls.push(FailedCall {
        source: format!("account {account}"),
        file: false,
        message: format!("{message}; its resources were not scanned"),
    });
}

/// A role session name CloudTrail shows in every member account: `sagemaker-audit-<time>`.
fn session_name(generated_at: &str) -> String {
    let stamp: String = generated_at
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    format!("sagemaker-audit-{stamp}")
}

/// The caller's account id and partition (`sts:GetCallerIdentity`, which needs no permission).
async fn caller_identity(sdk: &SdkConfig) -> Result<(String, String), LiveError> {
    let sts = aws_sdk_sts::Client::new(sdk);
    let me = sts.get_caller_identity().send().await.map_err(|e| {
        LiveError::Accounts(format!(
            "sts:GetCallerIdentity failed, so the caller's account is unknown: {}",
            super::describe_error(&e).1
        ))
    })?;
    let account = me.account().unwrap_or_default().to_owned();
    if !crate::model::is_account_id(&account) {
        return Err(LiveError::Accounts(format!(
            "sts:GetCallerIdentity answered with {:?}, which is no account id",
            crate::text::one_line(&account, 40)
        )));
    }
    let partition = me
        .arn()
        .and_then(crate::model::ArnParts::parse)
        .map(|p| p.partition)
        .filter(|p| crate::model::is_partition(p))
        .unwrap_or_else(|| "aws".to_owned());
    Ok((account, partition))
}

/// The organization's accounts as `ListAccounts` gives them.
#[derive(Default)]
struct Members {
    /// Active accounts.
    active: Vec<String>,
    /// Accounts listed with neither `State` nor `Status`.
    unknown: Vec<String>,
}

/// Accounts of the organization (`organizations:ListAccounts`), page by page.
async fn organization_accounts(sdk: &SdkConfig) -> Result<Members, LiveError> {
    use aws_sdk_organizations::types::{AccountState, AccountStatus};
    let client = aws_sdk_organizations::Client::new(sdk);
    let mut out = Members::default();
    let mut token: Option<String> = None;
    let mut pages = crate::paging::Pages::new();
    loop {
        let page = client
            .list_accounts()
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| {
                LiveError::Accounts(format!(
                    "organizations:ListAccounts failed (run from the management account or a delegated administrator): {}",
                    super::describe_error(&e).1
                ))
            })?;
        for a in page.accounts() {
            let id = a.id().unwrap_or_default();
            if !crate::model::is_account_id(id) {
                return Err(LiveError::Accounts(format!(
                    "organizations:ListAccounts answered with {:?}, which is no account id",
                    crate::text::one_line(id, 40)
                )));
            }
            // `State` replaces the deprecated `Status`; either says whether it is active. An
            // answer with neither cannot be skipped quietly: it is an ERROR row.
            let active = match (a.state(), a.status()) {
                (Some(state), _) => Some(*state == AccountState::Active),
                (None, Some(status)) => Some(*status == AccountStatus::Active),
                (None, None) => None,
            };
            match active {
                Some(true) => out.active.push(id.to_owned()),
                Some(false) => {
                    crate::info!("account {id} is not active in the organization; skipped")
                }
                None => out.unknown.push(id.to_owned()),
            }
        }
        match pages.next(page.next_token()) {
            Ok(true) => token = page.next_token().map(str::to_owned),
            Ok(false) => return Ok(out),
            // Stopping quietly would leave accounts out unseen.
            Err(why) => {
                return Err(LiveError::Accounts(format!(
                    "organizations:ListAccounts: {why}; the account list is incomplete"
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_are_recognisable_and_valid() {
        let name = session_name("2026-11-27T10:01:38Z");
        assert_eq!(name, "sagemaker-audit-20261127100138");
        // STS: 2 to 64 characters of [\w+=,.@-].
        assert!(name.len() <= 64);
    }
}

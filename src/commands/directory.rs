//! The user-directory port: who a mention refers to. Slack answers with `users.info`; the console
//! is its own directory.

use crate::domain::ids::UserId;
use std::future::Future;

/// A mention as typed: an id from Slack's escaping (`<@U0123ABCD|alice>`), or a bare name
/// (`@alice`, the console's form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MentionRef {
    Id(UserId),
    Name(String),
}

/// What kind of account a person has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    Person,
    Bot,
    Deactivated,
}

/// A person the directory knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    /// A human name for logs, reports and the payroll export (Slack's real name, else the
    /// display name, else the handle).
    pub name: String,
    pub kind: AccountKind,
}

/// The directory could not answer. Not the same as "no such user".
#[derive(Debug, Clone, thiserror::Error)]
pub enum DirectoryError {
    /// Slack did not answer, or had trouble of its own (a timeout, a 5xx): a retry may work.
    #[error("the user directory is unavailable: {0}")]
    Unavailable(String),
    /// Slack refused Baton's own access (a revoked bot token, a missing scope): no retry works
    /// until whoever runs Baton fixes it.
    #[error("Slack refused Baton's access to the user directory: {0}")]
    Refused(String),
}

/// Looks people up. Implementations must answer quickly (the Slack one caches and bounds its
/// calls with a timeout) because a slash command's reply waits for it.
pub trait Directory: Send + Sync {
    /// `Ok(None)` when nobody matches.
    fn lookup(
        &self,
        who: &MentionRef,
    ) -> impl Future<Output = Result<Option<Person>, DirectoryError>> + Send;
}

/// Whether `id`'s account has been deactivated: they have left. An id the directory does not
/// know has not (it is refused where it is used instead).
pub async fn has_left<D: Directory>(directory: &D, id: &UserId) -> Result<bool, DirectoryError> {
    let person = directory.lookup(&MentionRef::Id(id.clone())).await?;
    Ok(person.is_some_and(|p| p.kind == AccountKind::Deactivated))
}

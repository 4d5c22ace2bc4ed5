//! Identities of people and channels.
//!
//! In Slack these are Slack's ids (`U0123ABCD`, `W…` on Enterprise Grid, `C…`/`G…`/`D…` for
//! channels); in the console they are the local names people type (`alice`, `ops`). The core does
//! not care which: it only needs a stable, printable key. Both types can only be built by
//! [`UserId::parse`] / [`ChannelId::parse`], so every value in the system is well-formed. They
//! share their text (`Arc<str>`), so copying one (pay copies one per handover in every answer)
//! allocates nothing.

use std::fmt;
use std::sync::Arc;

/// Why a string is not a usable id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("an id cannot be empty")]
    Empty,
    #[error("`{0}` is too long to be an id (at most 64 characters)")]
    TooLong(String),
    #[error("`{0}` is not a valid id: use letters, digits, `.`, `_` or `-`")]
    BadCharacter(String),
}

fn check(raw: &str) -> Result<(), IdError> {
    if raw.is_empty() {
        return Err(IdError::Empty);
    }
    if raw.chars().count() > 64 {
        return Err(IdError::TooLong(raw.to_owned()));
    }
    if !raw
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(IdError::BadCharacter(raw.to_owned()));
    }
    Ok(())
}

/// A person: a Slack user id, or a console name.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(Arc<str>);

impl UserId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        check(raw).map(|()| Self(Arc::from(raw)))
    }

    /// Whether this is shaped as a Slack member id (`U0123ABCD`, or `W…` on Enterprise Grid),
    /// as `baton run` needs its admins to be; the console's names (`alice`) are not.
    pub fn is_slack_shaped(&self) -> bool {
        self.0.len() >= 3
            && self.0.starts_with(['U', 'W'])
            && self
                .0
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Slack mention for this person (`<@U0123ABCD>`); the console renders it as `@name`.
    pub fn mention(&self) -> String {
        format!("<@{}>", self.0)
    }
}

/// A channel: a Slack channel id, or a console channel name.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct ChannelId(Arc<str>);

impl ChannelId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        check(raw).map(|()| Self(Arc::from(raw)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Slack link for this channel (`<#C0123ABCD>`); the console renders it as `#name`.
    pub fn link(&self) -> String {
        let mut link = String::with_capacity(self.0.len() + 3);
        self.push_link(&mut link);
        link
    }

    /// [`ChannelId::link`], written at the end of `out`.
    pub fn push_link(&self, out: &mut String) {
        out.push_str("<#");
        out.push_str(&self.0);
        out.push('>');
    }

    /// Whether this is a Slack direct message between two people (`D0123ABCD`). The console's
    /// channels are lower-case names, so never one.
    pub fn is_direct_message(&self) -> bool {
        self.0.starts_with('D')
            && self
                .0
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    }
}

macro_rules! string_conversions {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $t {
            type Error = IdError;
            fn try_from(raw: String) -> Result<Self, IdError> {
                Self::parse(&raw)
            }
        }
        impl From<$t> for String {
            fn from(id: $t) -> String {
                id.0.to_string()
            }
        }
    };
}
string_conversions!(UserId);
string_conversions!(ChannelId);

/// A Slack channel's name as a slash command carried it (`ops-data`, no `#`), kept so that the
/// payroll export can say which team a row is for: its channel id (`C0123ABCD`) says nothing to
/// payroll. Only a name Slack really gave parses: Slack puts placeholders in `channel_name` for a
/// direct message (`directmessage`) and, in some workspaces, a private channel (`privategroup`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelName(Arc<str>);

impl ChannelName {
    /// Slack's names are at most 80 characters.
    const MOST_CHARS: usize = 80;

    /// The name in a slash command's `channel_name`, if it is one: trimmed, without a leading
    /// `#`, not a placeholder, at most 80 characters, with no space or control character.
    pub fn from_slack(raw: &str) -> Option<Self> {
        let name = raw.trim().trim_start_matches('#');
        let placeholder = matches!(name, "directmessage" | "privategroup");
        let plausible = !name.is_empty()
            && name.chars().count() <= Self::MOST_CHARS
            && !name.chars().any(|c| c.is_whitespace() || c.is_control());
        (plausible && !placeholder).then(|| Self(Arc::from(name)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether Slack names a group direct message this way (`mpdm-ann--bob--cat-1`): a
    /// conversation between a few people, which Baton is not in, as a direct message.
    pub fn is_group_message(&self) -> bool {
        self.0.starts_with("mpdm-")
    }
}

impl fmt::Display for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_ids_and_console_names_are_accepted() {
        for ok in ["U0123ABCD", "W0BOB0001", "alice", "ops-team", "j.smith_2"] {
            assert_eq!(UserId::parse(ok).unwrap().as_str(), ok);
            assert_eq!(ChannelId::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn malformed_ids_are_refused_with_the_reason() {
        assert_eq!(UserId::parse(""), Err(IdError::Empty));
        assert!(matches!(
            UserId::parse("<@U1>"),
            Err(IdError::BadCharacter(_))
        ));
        assert!(matches!(
            UserId::parse("a b"),
            Err(IdError::BadCharacter(_))
        ));
        assert!(matches!(
            ChannelId::parse(&"x".repeat(65)),
            Err(IdError::TooLong(_))
        ));
    }

    #[test]
    fn channel_names_are_what_slack_sent_without_the_hash() {
        for (sent, kept) in [
            ("ops-data", Some("ops-data")),
            ("#ops", Some("ops")),
            (" support_2 ", Some("support_2")),
            ("équipe-données", Some("équipe-données")),
            (&"x".repeat(80), Some(&*"x".repeat(80))),
        ] {
            assert_eq!(
                ChannelName::from_slack(sent)
                    .as_ref()
                    .map(ChannelName::as_str),
                kept,
                "{sent:?}"
            );
        }
    }

    #[test]
    fn placeholders_and_implausible_channel_names_are_not_kept() {
        for sent in [
            "",
            "#",
            "directmessage",
            "privategroup",
            "two words",
            "ops\u{1b}[2J",
            &"x".repeat(81),
        ] {
            assert_eq!(ChannelName::from_slack(sent), None, "{sent:?}");
        }
    }

    #[test]
    fn only_a_slack_direct_message_id_is_a_direct_message() {
        for (id, dm) in [
            ("D0123ABCD", true),
            ("C0123ABCD", false),
            ("G0123ABCD", false),
            ("dev", false),
            ("D-day", false),
        ] {
            assert_eq!(
                ChannelId::parse(id).unwrap().is_direct_message(),
                dm,
                "{id}"
            );
        }
        let name = |n: &str| ChannelName::from_slack(n).unwrap();
        assert!(name("mpdm-ann--bob--cat-1").is_group_message());
        assert!(!name("mpdm").is_group_message());
        assert!(!name("ops-mpdm-").is_group_message());
    }

    #[test]
    fn mentions_use_slack_syntax() {
        assert_eq!(UserId::parse("U1").unwrap().mention(), "<@U1>");
        assert_eq!(ChannelId::parse("C1").unwrap().link(), "<#C1>");
    }
}

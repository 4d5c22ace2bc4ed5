//! What the Slack adapter needs to start: the two tokens, the Web API base URL and the number of
//! Socket Mode connections. Tokens are newtypes whose `Debug`/`Display` never show the secret.

use std::fmt;

/// Where a newcomer finds each token; quoted in startup errors.
const APP_TOKEN_HINT: &str = "create an app-level token with the `connections:write` scope under \
     Basic Information > App-Level Tokens (README, \"Running it in Slack\")";
const BOT_TOKEN_HINT: &str = "copy the Bot User OAuth Token from OAuth & Permissions after \
     installing the app (README, \"Running it in Slack\")";

/// The default Web API base, as Slack documents it.
pub const DEFAULT_API_URL: &str = "https://slack.com/api";
/// Socket Mode connections opened by default: two, so that commands keep coming on one while
/// Slack replaces the other (each envelope is answered in its own task either way).
pub const DEFAULT_CONNECTIONS: u32 = 2;
/// The most Socket Mode connections Baton keeps open: half Slack's limit of ten per app, since
/// each connection Slack asks to replace stays open beside its replacement for a while (to
/// finish its acks), and an app at Slack's limit has its new connections refused.
pub const MAX_CONNECTIONS: u32 = 5;
/// How long one post (a reminder, a DM, a late reply) keeps retrying 429s and 5xx by default.
pub const DEFAULT_POST_RETRY_SECS: u64 = 90;

/// Why the Slack settings cannot be used. Each message names the variable and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("{var} is not set: {hint}")]
    Missing {
        var: &'static str,
        hint: &'static str,
    },
    #[error("{var} is malformed: {reason}; {hint}")]
    Malformed {
        var: &'static str,
        reason: String,
        hint: &'static str,
    },
}

fn check_token(
    var: &'static str,
    raw: &str,
    prefix: &'static str,
    hint: &'static str,
) -> Result<String, SettingsError> {
    let malformed = |reason: String| SettingsError::Malformed { var, reason, hint };
    let token = raw.trim();
    if token.is_empty() {
        return Err(SettingsError::Missing { var, hint });
    }
    if !token.starts_with(prefix) {
        // Name the kind of token that was pasted, never its value.
        let found = match token.split('-').next() {
            Some(kind @ ("xapp" | "xoxb" | "xoxp" | "xoxe")) => format!("a `{kind}-` token"),
            _ => "something else".to_owned(),
        };
        return Err(malformed(format!(
            "it must start with `{prefix}` but holds {found}"
        )));
    }
    if token.len() <= prefix.len() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(malformed("it is truncated or contains spaces".to_owned()));
    }
    Ok(token.to_owned())
}

/// The app-level token (`xapp-…`), used only to open Socket Mode connections.
#[derive(Clone, PartialEq, Eq)]
pub struct AppToken(String);

impl AppToken {
    pub const VAR: &'static str = "SLACK_APP_TOKEN";

    pub fn parse(raw: &str) -> Result<Self, SettingsError> {
        check_token(Self::VAR, raw, "xapp-", APP_TOKEN_HINT).map(Self)
    }

    /// The secret itself, for the one place that sends it to Slack.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

/// The bot token (`xoxb-…`), used for every Web API call.
#[derive(Clone, PartialEq, Eq)]
pub struct BotToken(String);

impl BotToken {
    pub const VAR: &'static str = "SLACK_BOT_TOKEN";

    pub fn parse(raw: &str) -> Result<Self, SettingsError> {
        check_token(Self::VAR, raw, "xoxb-", BOT_TOKEN_HINT).map(Self)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

macro_rules! redacted {
    ($t:ty, $prefix:literal) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($t), "(", $prefix, "[redacted])"))
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!($prefix, "[redacted]"))
            }
        }
    };
}
redacted!(AppToken, "xapp-");
redacted!(BotToken, "xoxb-");

/// The Web API base URL without a trailing slash (slack-morphism appends `/method`). It holds a
/// scheme, a host, perhaps a port and a path, and nothing else ([`ApiUrl::parse`] refuses the
/// rest), so it can be shown in an error as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUrl(String);

impl ApiUrl {
    pub const VAR: &'static str = "SLACK_API_URL";

    /// `https://…`, or `http://` to this machine only (a test Slack, a local proxy): every call
    /// carries the bot token, which plain HTTP would send across the network in clear.
    ///
    /// A login before the host (`name:password@`) is refused for every scheme: in
    /// `https://slack.com@evil.example/api` the host is `evil.example`, which would be sent the
    /// bot token, and a password there would be printed in startup errors. So are a query and
    /// a fragment, which `/method` appended after them would not follow. None of the messages
    /// repeat the URL.
    pub fn parse(raw: &str) -> Result<Self, SettingsError> {
        let url = raw.trim().trim_end_matches('/');
        let malformed = |reason: &str| SettingsError::Malformed {
            var: Self::VAR,
            reason: reason.to_owned(),
            hint: "leave it unset for https://slack.com/api",
        };
        if url.contains(char::is_whitespace) {
            return Err(malformed("it must be an https:// URL"));
        }
        let (secure, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
            (Some(rest), _) => (true, rest),
            (None, Some(rest)) => (false, rest),
            (None, None) => return Err(malformed("it must be an https:// URL")),
        };
        if url.contains(['?', '#']) {
            return Err(malformed(
                "it must not have a query (`?…`) or a fragment (`#…`): Baton adds `/method` to it",
            ));
        }
        if authority(rest).contains('@') {
            return Err(malformed(
                "it must not hold a login (`name:password@` before the host): the bot token \
                 would be sent to the host after the `@`",
            ));
        }
        match (secure, rest.is_empty()) {
            (_, true) => Err(malformed("it must be an https:// URL")),
            (true, false) => Ok(Self(url.to_owned())),
            (false, false) if is_loopback(rest) => Ok(Self(url.to_owned())),
            (false, false) => Err(malformed(
                "plain http:// is only for this machine (127.0.0.1, localhost): elsewhere it \
                 would send the bot token unencrypted; use https://",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The `[name[:password]@]host[:port]` of a URL after its `scheme://`: up to the first `/`, `?`
/// or `#`, as RFC 3986 reads it. Not at `\`, which some parsers take for a `/`: the authority is
/// then longer, and an `@` in it is refused rather than missed.
fn authority(after_scheme: &str) -> &str {
    after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
}

/// Whether a URL's `host[:port]/path` (one with no login: see [`ApiUrl::parse`]) names this
/// machine.
fn is_loopback(after_scheme: &str) -> bool {
    let authority = authority(after_scheme);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Default for ApiUrl {
    fn default() -> Self {
        Self(DEFAULT_API_URL.to_owned())
    }
}

/// Everything the Slack adapter reads from its environment, validated once.
#[derive(Debug, Clone)]
pub struct SlackSettings {
    pub app_token: AppToken,
    pub bot_token: BotToken,
    pub api_url: ApiUrl,
    /// Socket Mode connections to keep open (1 to [`MAX_CONNECTIONS`]).
    pub connections: u32,
    /// How long one Web API post keeps retrying before it gives up (1 s to 10 min).
    pub post_retry: std::time::Duration,
}

impl SlackSettings {
    pub const CONNECTIONS_VAR: &'static str = "SLACK_CONNECTIONS";
    pub const POST_RETRY_VAR: &'static str = "SLACK_POST_RETRY_SECS";

    /// Reads `SLACK_APP_TOKEN`, `SLACK_BOT_TOKEN`, and optionally `SLACK_API_URL`,
    /// `SLACK_CONNECTIONS` and `SLACK_POST_RETRY_SECS` through `var` (the process environment in
    /// production, a map in tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        Self::from_vars_or(var, DEFAULT_CONNECTIONS)
    }

    /// [`Self::from_vars`], with `connections` (the config file's) when `SLACK_CONNECTIONS` is
    /// unset. A variable set to a blank value (as env files often leave them) counts as unset.
    pub fn from_vars_or(
        var: impl Fn(&str) -> Option<String>,
        connections: u32,
    ) -> Result<Self, SettingsError> {
        let required = |name: &'static str, hint: &'static str| {
            var(name).ok_or(SettingsError::Missing { var: name, hint })
        };
        let optional = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let app_token = AppToken::parse(&required(AppToken::VAR, APP_TOKEN_HINT)?)?;
        let bot_token = BotToken::parse(&required(BotToken::VAR, BOT_TOKEN_HINT)?)?;
        let api_url = match optional(ApiUrl::VAR) {
            Some(raw) => ApiUrl::parse(&raw)?,
            None => ApiUrl::default(),
        };
        let connections = match optional(Self::CONNECTIONS_VAR) {
            Some(raw) => match raw.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_CONNECTIONS).contains(&n) => n,
                _ => {
                    return Err(SettingsError::Malformed {
                        var: Self::CONNECTIONS_VAR,
                        reason: format!(
                            "`{}` is not a number from 1 to {MAX_CONNECTIONS}",
                            raw.trim()
                        ),
                        hint: "Slack allows 10 Socket Mode connections per app, and each one \
                               Slack replaces is briefly two; the default is 2",
                    })
                }
            },
            None => connections,
        };
        let post_retry_secs = match optional(Self::POST_RETRY_VAR) {
            Some(raw) => match raw.trim().parse::<u64>() {
                Ok(n) if (1..=600).contains(&n) => n,
                _ => {
                    return Err(SettingsError::Malformed {
                        var: Self::POST_RETRY_VAR,
                        reason: format!(
                            "`{}` is not a number of seconds from 1 to 600",
                            raw.trim()
                        ),
                        hint: "it bounds how long a post keeps retrying; the default is 90",
                    })
                }
            },
            None => DEFAULT_POST_RETRY_SECS,
        };
        Ok(Self {
            app_token,
            bot_token,
            api_url,
            connections,
            post_retry: std::time::Duration::from_secs(post_retry_secs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<SlackSettings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        SlackSettings::from_vars(|k| map.get(k).cloned())
    }

    const APP: (&str, &str) = ("SLACK_APP_TOKEN", "xapp-1-A1-2-abcdef");
    const BOT: (&str, &str) = ("SLACK_BOT_TOKEN", "xoxb-1-2-secretvalue");

    #[test]
    fn valid_tokens_give_default_url_and_two_connections() {
        let s = settings(&[APP, BOT]).unwrap();
        assert_eq!(s.api_url.as_str(), "https://slack.com/api");
        assert_eq!(s.connections, 2);
    }

    #[test]
    fn a_missing_token_names_its_variable() {
        let err = settings(&[BOT]).unwrap_err().to_string();
        assert!(err.starts_with("SLACK_APP_TOKEN is not set"), "{err}");
        let err = settings(&[APP]).unwrap_err().to_string();
        assert!(err.starts_with("SLACK_BOT_TOKEN is not set"), "{err}");
    }

    #[test]
    fn swapped_tokens_are_reported_without_showing_them() {
        let err = settings(&[
            ("SLACK_APP_TOKEN", "xoxb-1-2-secretvalue"),
            ("SLACK_BOT_TOKEN", "xapp-1-A1-2-abcdef"),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("SLACK_APP_TOKEN is malformed"), "{err}");
        assert!(err.contains("a `xoxb-` token"), "{err}");
        assert!(!err.contains("secretvalue"), "{err}");
        assert!(!err.contains('\n'));
    }

    #[test]
    fn tokens_with_spaces_inside_are_malformed() {
        let err = settings(&[APP, ("SLACK_BOT_TOKEN", "xoxb-12 34")]).unwrap_err();
        assert!(matches!(
            err,
            SettingsError::Malformed {
                var: "SLACK_BOT_TOKEN",
                ..
            }
        ));
    }

    #[test]
    fn tokens_never_print_their_secret() {
        let s = settings(&[APP, BOT]).unwrap();
        let shown = format!("{s:?} {} {}", s.app_token, s.bot_token);
        assert!(
            !shown.contains("secretvalue") && !shown.contains("abcdef"),
            "{shown}"
        );
        assert_eq!(s.bot_token.expose(), "xoxb-1-2-secretvalue");
    }

    #[test]
    fn api_url_works_with_and_without_trailing_slash() {
        for raw in [
            "http://127.0.0.1:9/api",
            "http://127.0.0.1:9/api/",
            " http://127.0.0.1:9/api// ",
        ] {
            let s = settings(&[APP, BOT, ("SLACK_API_URL", raw)]).unwrap();
            assert_eq!(s.api_url.as_str(), "http://127.0.0.1:9/api");
        }
        assert!(settings(&[APP, BOT, ("SLACK_API_URL", "slack.com/api")]).is_err());
    }

    #[test]
    fn plain_http_is_only_for_this_machine_since_it_would_send_the_token_in_clear() {
        for ok in [
            "https://slack-gov.com/api",
            "http://127.0.0.1:9/api",
            "http://127.1.2.3/api",
            "http://localhost:8080/api",
            "http://[::1]:9/api",
        ] {
            assert!(settings(&[APP, BOT, ("SLACK_API_URL", ok)]).is_ok(), "{ok}");
        }
        for bad in [
            "http://slack.com/api",
            "http://10.0.0.5:8080/api",
            "http://localhost.evil.com/api",
            "http://127.0.0.1.nip.io/api",
            // The part before `@` is a user name: these go to the host after it.
            "http://localhost:1@192.0.2.2:18777/api",
            "http://127.0.0.1:80@slack.com/api",
            "http://localhost@slack.com",
            "https://",
            "ftp://slack.com/api",
        ] {
            let err = settings(&[APP, BOT, ("SLACK_API_URL", bad)]).unwrap_err();
            assert!(
                err.to_string().starts_with("SLACK_API_URL is malformed"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn an_api_url_with_a_login_query_or_fragment_is_refused_without_repeating_it() {
        // (URL, what the refusal says)
        let cases = [
            // The host is evil.example: it would be sent the bot token.
            ("https://slack.com@evil.example/api", "login"),
            ("https://s3cr3t:hunter2@proxy.example/api", "login"),
            ("https://s3cr3t@proxy.example", "login"),
            ("http://s3cr3t:hunter2@127.0.0.1:9/api", "login"),
            ("https://slack.com\\@evil.example/api", "login"),
            ("https://proxy.example/api?key=hunter2", "query"),
            ("https://evil.example#@slack.com/api", "fragment"),
        ];
        for (url, says) in cases {
            let err = settings(&[APP, BOT, ("SLACK_API_URL", url)])
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("SLACK_API_URL is malformed"),
                "{url}: {err}"
            );
            assert!(err.contains(says), "{url}: {err}");
            for secret in ["s3cr3t", "hunter2", "evil"] {
                assert!(!err.contains(secret), "{url}: {err}");
            }
            assert!(!err.contains('\n'), "{err}");
        }
        // An `@` after the host is part of the path, and harmless.
        let url = "https://proxy.example/@slack/api";
        let s = settings(&[APP, BOT, ("SLACK_API_URL", url)]).unwrap();
        assert_eq!(s.api_url.as_str(), url);
    }

    #[test]
    fn the_post_retry_budget_defaults_to_90_s_and_is_bounded() {
        let s = settings(&[APP, BOT]).unwrap();
        assert_eq!(s.post_retry, std::time::Duration::from_secs(90));
        let s = settings(&[APP, BOT, ("SLACK_POST_RETRY_SECS", "2")]).unwrap();
        assert_eq!(s.post_retry, std::time::Duration::from_secs(2));
        for bad in ["0", "601", "soon"] {
            let err = settings(&[APP, BOT, ("SLACK_POST_RETRY_SECS", bad)]).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("SLACK_POST_RETRY_SECS is malformed"),
                "{err}"
            );
        }
    }

    #[test]
    fn slack_connections_wins_over_the_configs_count_unless_blank() {
        let map = |vars: &[(&str, &str)]| -> HashMap<String, String> {
            vars.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        for (vars, want) in [
            (map(&[APP, BOT]), 3),
            (map(&[APP, BOT, ("SLACK_CONNECTIONS", " ")]), 3),
            (map(&[APP, BOT, ("SLACK_CONNECTIONS", "4")]), 4),
        ] {
            let s = SlackSettings::from_vars_or(|k| vars.get(k).cloned(), 3).unwrap();
            assert_eq!(s.connections, want, "{vars:?}");
        }
    }

    #[test]
    fn connections_are_bounded_by_slacks_limit() {
        assert_eq!(
            settings(&[APP, BOT, ("SLACK_CONNECTIONS", "4")])
                .unwrap()
                .connections,
            4
        );
        for bad in ["0", "6", "11", "two"] {
            let err = settings(&[APP, BOT, ("SLACK_CONNECTIONS", bad)]).unwrap_err();
            assert!(matches!(
                err,
                SettingsError::Malformed {
                    var: "SLACK_CONNECTIONS",
                    ..
                }
            ));
        }
    }
}

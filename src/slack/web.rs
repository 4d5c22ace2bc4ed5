//! The Web API client: building the HTTP connector, the startup checks (`auth.test` and one
//! `apps.connections.open`), and how Slack's errors are classified for retries.

use super::settings::{AppToken, BotToken, SlackSettings};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::Duration;

pub(crate) type Connector = SlackClientHyperHttpsConnector;
pub(crate) type Client = SlackClient<Connector>;

/// Startup checks are not on any user's path; ten seconds tells "slow" from "unreachable".
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// `auth.test` calls at startup while Slack answers 429, and the longest wait between two.
const AUTH_TEST_TRIES: u32 = 4;
const LONGEST_STARTUP_WAIT: Duration = Duration::from_secs(30);

/// One client per process: it pools connections. Plain `http://` is allowed (proxies, tests) and
/// HTTP/1.1 is enabled next to HTTP/2: slack-morphism's default connector is HTTPS- and
/// HTTP/2-only, and fails silently against anything else.
pub(crate) fn build_client(settings: &SlackSettings) -> Arc<Client> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    let connector = SlackClientHyperConnector::with_connector(https)
        .with_slack_api_url(settings.api_url.as_str());
    Arc::new(SlackClient::new(connector))
}

/// TLS for the Socket Mode WebSocket, built once: the roots the Web API client trusts
/// (`with_webpki_roots` above), with the same ring provider. tokio-tungstenite's default reads
/// the system's CA files at every connect instead, and without them (a slim container image)
/// every socket failed while the Web API worked.
pub(crate) fn socket_tls() -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(config))
}

pub(crate) fn api_token(secret: &str) -> SlackApiToken {
    SlackApiToken::new(SlackApiTokenValue(secret.to_owned()))
}

pub(crate) fn bot_token(token: &BotToken) -> SlackApiToken {
    api_token(token.expose()).with_token_type(SlackApiTokenType::Bot)
}

pub(crate) fn app_token(token: &AppToken) -> SlackApiToken {
    api_token(token.expose()).with_token_type(SlackApiTokenType::App)
}

/// Who the bot is, from `auth.test`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotIdentity {
    pub team_id: String,
    pub team: String,
    pub bot_user_id: String,
    pub bot_name: Option<String>,
}

/// Why Baton could not start talking to Slack. One line each, naming what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("Slack refused {var} (`{code}`): {hint}")]
    Rejected {
        var: &'static str,
        code: String,
        hint: &'static str,
    },
    #[error("cannot reach Slack at {url} to check {var}: {reason}")]
    Unreachable {
        var: &'static str,
        /// `SLACK_API_URL`, shown whole: [`super::settings::ApiUrl`] holds no login, query or
        /// fragment, only a scheme, a host and port, and a path.
        url: String,
        reason: String,
    },
}

/// How long to wait after a 429: what Slack's `Retry-After` asks, at least a second (its usual
/// ask when there is no header, or a 0 a proxy may send), and at most `longest`.
pub(crate) fn rate_limit_wait(asked: Option<Duration>, longest: Duration) -> Duration {
    asked
        .unwrap_or(Duration::from_secs(1))
        .clamp(Duration::from_secs(1), longest)
}

/// How a failed call should be treated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 429, or `ratelimited`: wait as long as Slack asks.
    RateLimited(Option<Duration>),
    /// 5xx, a dropped connection, Slack's own `internal_error`: try again with backoff.
    Transient(String),
    /// Slack answered with an error that retrying will not change.
    Refused(String),
}

/// An error and its sources on one line ("client error (Connect): dns error: …"), repeats left
/// out, at most 300 characters.
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        let part = e.to_string().replace(['\n', '\r'], " ");
        if !parts.iter().any(|p| p.contains(&part)) {
            parts.push(part);
        }
        next = e.source();
    }
    let line = parts.join(": ");
    match line.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

impl Failure {
    pub(crate) fn of(err: &SlackClientError) -> Self {
        match err {
            SlackClientError::RateLimitError(e) => Self::RateLimited(e.retry_after),
            SlackClientError::HttpError(e) if e.status_code.is_server_error() => {
                Self::Transient(format!("HTTP {}", e.status_code.as_u16()))
            }
            SlackClientError::HttpError(e) => {
                Self::Refused(format!("HTTP {}", e.status_code.as_u16()))
            }
            // Why: DNS, a refused connection, TLS. A connection-level error holds no response
            // body, and the request's token is in a header no error shows.
            SlackClientError::HttpProtocolError(e) => Self::Transient(match &e.cause {
                Some(cause) => format!("connection failed: {}", causes(cause.as_ref())),
                None => "connection failed".to_owned(),
            }),
            SlackClientError::EndOfStream(_) => Self::Transient("connection failed".to_owned()),
            SlackClientError::ApiError(e) => match e.code.as_str() {
                // The Web API's code, and chat.postMessage's own for too many posts.
                "ratelimited" | "rate_limited" => Self::RateLimited(None),
                "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
                    Self::Transient(e.code.clone())
                }
                code => Self::Refused(code.to_owned()),
            },
            SlackClientError::ProtocolError(_) => Self::Refused("unreadable response".to_owned()),
            SlackClientError::SocketModeProtocolError(_) | SlackClientError::SystemError(_) => {
                Self::Refused("client error".to_owned())
            }
        }
    }

    /// A short, single-line description that never includes a response body.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::RateLimited(Some(d)) => format!("rate limited (retry after {} s)", d.as_secs()),
            Self::RateLimited(None) => "rate limited".to_owned(),
            Self::Transient(what) | Self::Refused(what) => what.clone(),
        }
    }
}

/// Token errors that mean "this token is wrong", as opposed to "Slack is unwell".
pub(crate) fn is_token_error(code: &str) -> bool {
    matches!(
        code,
        "invalid_auth"
            | "not_authed"
            | "account_inactive"
            | "token_revoked"
            | "token_expired"
            | "not_allowed_token_type"
            | "missing_scope"
            | "no_permission"
            // Slack's own Socket Mode client gives up on these too.
            | "team_disabled"
            | "user_removed_from_team"
    )
}

fn startup_error(
    var: &'static str,
    hint: &'static str,
    url: &str,
    outcome: Result<SlackClientError, tokio::time::error::Elapsed>,
) -> StartupError {
    let unreachable = |reason: String| StartupError::Unreachable {
        var,
        url: url.to_owned(),
        reason,
    };
    match outcome {
        Err(_) => unreachable(format!("no answer within {} s", STARTUP_TIMEOUT.as_secs())),
        Ok(SlackClientError::ApiError(e)) if is_token_error(&e.code) => StartupError::Rejected {
            var,
            code: e.code,
            hint,
        },
        Ok(err) => unreachable(Failure::of(&err).describe()),
    }
}

/// Checks both tokens against Slack before anything listens, so that a wrong token stops
/// startup with one line instead of the sockets retrying it forever in the log.
pub(crate) async fn check_tokens(
    client: &Client,
    settings: &SlackSettings,
) -> Result<BotIdentity, StartupError> {
    let url = settings.api_url.as_str();
    let bot = bot_token(&settings.bot_token);
    let app = app_token(&settings.app_token);
    let bot_session = client.open_session(&bot);
    let app_session = client.open_session(&app);
    let open_request = SlackApiAppsConnectionOpenRequest::new();
    // auth.test answers who the bot is, so startup needs it; a 429 is waited out (a few times,
    // each wait bounded) rather than exiting into a restart loop that keeps the limit in force.
    let auth_test = async {
        let mut tries = 1;
        loop {
            let answer = tokio::time::timeout(STARTUP_TIMEOUT, bot_session.auth_test()).await;
            let asked = match &answer {
                Ok(Err(e)) if tries < AUTH_TEST_TRIES => match Failure::of(e) {
                    Failure::RateLimited(after) => after,
                    _ => return answer,
                },
                _ => return answer,
            };
            let wait = rate_limit_wait(asked, LONGEST_STARTUP_WAIT);
            tracing::warn!(
                wait_s = wait.as_secs(),
                "Slack is rate-limiting auth.test; waiting before asking again"
            );
            tokio::time::sleep(wait).await;
            tries += 1;
        }
    };
    let (auth, probe) = tokio::join!(
        auth_test,
        tokio::time::timeout(
            STARTUP_TIMEOUT,
            app_session.apps_connections_open(&open_request)
        ),
    );
    let auth = match auth {
        Ok(Ok(auth)) => auth,
        Ok(Err(e)) => {
            return Err(startup_error(BotToken::VAR, BOT_HINT, url, Ok(e)));
        }
        Err(elapsed) => return Err(startup_error(BotToken::VAR, BOT_HINT, url, Err(elapsed))),
    };
    match probe {
        Ok(Ok(_)) => {}
        // Slack limits apps.connections.open per app (Tier 1), so a 429 answers for the token;
        // a restart loop must not turn it into an exit, and another restart. The connections
        // wait out the limit and retry.
        Ok(Err(e)) if matches!(Failure::of(&e), Failure::RateLimited(_)) => {
            tracing::warn!(
                reason = %Failure::of(&e).describe(),
                "Slack is rate-limiting apps.connections.open; the connections will wait and retry"
            );
        }
        Ok(Err(e)) => return Err(startup_error(AppToken::VAR, APP_HINT, url, Ok(e))),
        Err(elapsed) => return Err(startup_error(AppToken::VAR, APP_HINT, url, Err(elapsed))),
    }
    Ok(BotIdentity {
        team_id: auth.team_id.to_string(),
        team: auth.team,
        bot_user_id: auth.user_id.to_string(),
        bot_name: auth.user,
    })
}

const BOT_HINT: &str = "check SLACK_BOT_TOKEN is the app's current Bot User OAuth Token (xoxb-) \
     and that the app is installed in the workspace";
const APP_HINT: &str = "check SLACK_APP_TOKEN is a current app-level token (xapp-) with the \
     `connections:write` scope and that Socket Mode is on";

#[cfg(test)]
mod tests {
    use super::*;
    use slack_morphism::errors::*;

    #[test]
    fn a_rate_limit_is_waited_as_asked_from_one_second_to_the_callers_longest() {
        let s = Duration::from_secs;
        let cases = [
            (None, s(30), s(1)),
            (Some(s(0)), s(30), s(1)),
            (Some(s(7)), s(30), s(7)),
            (Some(s(3600)), s(30), s(30)),
            (Some(s(3600)), Duration::MAX, s(3600)),
        ];
        for (asked, longest, wait) in cases {
            assert_eq!(
                rate_limit_wait(asked, longest),
                wait,
                "{asked:?} {longest:?}"
            );
        }
    }

    #[test]
    fn failures_are_classified_for_retry() {
        let api = |code: &str| SlackClientError::ApiError(SlackClientApiError::new(code.into()));
        let http = |status: u16| {
            SlackClientError::HttpError(SlackClientHttpError::new(http_status(status)))
        };
        assert_eq!(
            Failure::of(&api("not_in_channel")),
            Failure::Refused("not_in_channel".into())
        );
        assert_eq!(Failure::of(&api("ratelimited")), Failure::RateLimited(None));
        // chat.postMessage's own code for too many posts.
        assert_eq!(
            Failure::of(&api("rate_limited")),
            Failure::RateLimited(None)
        );
        assert_eq!(
            Failure::of(&api("internal_error")),
            Failure::Transient("internal_error".into())
        );
        assert_eq!(
            Failure::of(&http(503)),
            Failure::Transient("HTTP 503".into())
        );
        assert_eq!(Failure::of(&http(404)), Failure::Refused("HTTP 404".into()));
        let limited = SlackClientError::RateLimitError(
            SlackRateLimitError::new().with_retry_after(Duration::from_secs(3)),
        );
        assert_eq!(
            Failure::of(&limited),
            Failure::RateLimited(Some(Duration::from_secs(3)))
        );
    }

    fn http_status(code: u16) -> slack_morphism::listener::HttpStatusCode {
        slack_morphism::listener::HttpStatusCode::from_u16(code).unwrap()
    }
}

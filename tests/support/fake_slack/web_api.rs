//! The fake Web API: `POST/GET /api/{method}` and `response_url` posts.

use super::{
    ApiCall, ChannelState, Fault, Inner, Posted, APP_ID, APP_TOKEN, BOT_ID, BOT_TOKEN, BOT_USER_ID,
    TEAM_DOMAIN, TEAM_ID,
};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

type Shared = State<Arc<Inner>>;

/// Query string and body (JSON or form) merged into one object, as Slack accepts either.
fn arguments(uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Map<String, Value> {
    let mut args = Map::new();
    let mut add_form = |raw: &str| {
        if let Ok(Query(pairs)) = Query::<HashMap<String, String>>::try_from_uri(
            &format!("/?{raw}").parse().unwrap_or_default(),
        ) {
            for (k, v) in pairs {
                args.insert(k, Value::String(v));
            }
        }
    };
    if let Some(query) = uri.query() {
        add_form(query);
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
            args.extend(map);
        }
    } else if let Ok(raw) = std::str::from_utf8(body) {
        add_form(raw);
    }
    args
}

fn bearer(headers: &HeaderMap, args: &Map<String, Value>) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
        .or_else(|| args.get("token").and_then(Value::as_str).map(str::to_owned))
}

fn slack_error(code: &str) -> Value {
    json!({"ok": false, "error": code})
}

/// Answers with `status` and `body`, and records the call.
fn answer(inner: &Inner, method: &str, status: StatusCode, body: Value) -> Response {
    let error = body.get("error").and_then(Value::as_str).map(str::to_owned);
    inner.update(|s| {
        s.calls.push(ApiCall {
            method: method.to_owned(),
            status: status.as_u16(),
            error,
            at: Instant::now(),
        })
    });
    (status, axum::Json(body)).into_response()
}

/// Takes the next queued fault for `method`, waiting out a [`Fault::Delay`] on the spot.
async fn fault(inner: &Inner, method: &str) -> Option<Response> {
    let next = inner.update(|s| s.faults.get_mut(method).and_then(|q| q.pop_front()));
    match next? {
        Fault::Delay(d) => {
            tokio::time::sleep(d).await;
            None
        }
        Fault::RateLimited { retry_after_secs } => {
            let mut response = answer(
                inner,
                method,
                StatusCode::TOO_MANY_REQUESTS,
                slack_error("ratelimited"),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            Some(response)
        }
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            inner.update(|s| {
                s.calls.push(ApiCall {
                    method: method.to_owned(),
                    status: status.as_u16(),
                    error: None,
                    at: Instant::now(),
                })
            });
            Some((status, "fake Slack: injected failure").into_response())
        }
        Fault::SlackError(code) => Some(answer(inner, method, StatusCode::OK, slack_error(&code))),
    }
}

pub(crate) async fn method(
    State(inner): Shared,
    Path(method): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    inner.update(|s| *s.received.entry(method.clone()).or_default() += 1);
    let args = arguments(&uri, &headers, &body);
    let token = bearer(&headers, &args);
    let needs_app_token = method == "apps.connections.open";
    let auth_error = match token.as_deref() {
        None => Some("not_authed"),
        Some(t) if t == APP_TOKEN && !needs_app_token => Some("not_allowed_token_type"),
        Some(t) if t == BOT_TOKEN && needs_app_token => Some("not_allowed_token_type"),
        Some(t) if t == APP_TOKEN || t == BOT_TOKEN => None,
        Some(_) => Some("invalid_auth"),
    };
    if let Some(response) = fault(&inner, &method).await {
        return response;
    }
    if let Some(code) = auth_error {
        return answer(&inner, &method, StatusCode::OK, slack_error(code));
    }
    let arg = |name: &str| args.get(name).and_then(Value::as_str).map(str::to_owned);
    let body = match method.as_str() {
        "apps.connections.open" => {
            let ticket = format!("{:016x}", inner.next_id() * 7919);
            inner.update(|s| {
                s.tickets.insert(ticket.clone());
                s.connections_opened += 1;
            });
            json!({"ok": true, "url": format!("ws://{}/link/?ticket={ticket}&app_id={APP_ID}", inner.addr)})
        }
        "auth.test" => json!({
            "ok": true, "url": format!("https://{TEAM_DOMAIN}.slack.com/"), "team": "Fake Workspace",
            "user": "baton", "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
            "is_enterprise_install": false
        }),
        "users.info" => {
            let user = arg("user").and_then(|id| inner.lock().users.get(&id).cloned());
            match user {
                Some(user) => json!({"ok": true, "user": user.to_json()}),
                None => slack_error("user_not_found"),
            }
        }
        "chat.postMessage" | "chat.postEphemeral" => post(&inner, &method, &args),
        "conversations.open" => {
            let users: Vec<String> = match args.get("users") {
                Some(Value::String(list)) => list.split(',').map(str::to_owned).collect(),
                Some(Value::Array(list)) => list
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            };
            let known = inner.lock().users.clone();
            match users.as_slice() {
                [] => slack_error("users_list_not_supplied"),
                [one] if known.contains_key(one) => {
                    json!({"ok": true, "channel": {"id": format!("D{}", one.trim_start_matches(['U', 'W']))}})
                }
                [_] => slack_error("user_not_found"),
                _ => slack_error("not_implemented_in_fake"),
            }
        }
        _ => slack_error("unknown_method"),
    };
    answer(&inner, &method, StatusCode::OK, body)
}

fn post(inner: &Inner, method: &str, args: &Map<String, Value>) -> Value {
    let Some(channel) = args.get("channel").and_then(Value::as_str) else {
        return slack_error("channel_not_found");
    };
    let text = args.get("text").and_then(Value::as_str).unwrap_or("");
    let blocks = args.get("blocks").cloned().unwrap_or(Value::Null);
    if text.is_empty() && blocks.is_null() {
        return slack_error("no_text");
    }
    match inner.lock().channels.get(channel) {
        Some(ChannelState::Archived) => return slack_error("is_archived"),
        Some(ChannelState::NotFound) => return slack_error("channel_not_found"),
        Some(ChannelState::NotInChannel) => return slack_error("not_in_channel"),
        None => {}
    }
    let n = inner.next_id();
    let ts = format!("{}.{:06}", 1_700_000_000 + n, n);
    inner.update(|s| {
        s.posted.push(Posted {
            method: method.to_owned(),
            channel: channel.to_owned(),
            text: text.to_owned(),
            blocks: blocks.clone(),
            body: Value::Object(args.clone()),
            at: Instant::now(),
        })
    });
    if method == "chat.postEphemeral" {
        return json!({"ok": true, "message_ts": ts});
    }
    json!({
        "ok": true, "channel": channel, "ts": ts,
        "message": {"type": "message", "subtype": "bot_message", "text": text, "ts": ts,
                    "username": "baton", "bot_id": BOT_ID, "user": BOT_USER_ID}
    })
}

/// `response_url` posts: recorded as messages in the command's channel (the channel is not in
/// the URL, so it is recorded as the URL's path; tests match on text).
pub(crate) async fn response_url(
    State(inner): Shared,
    Path((team, id, secret)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = fault(&inner, "response_url").await {
        return response;
    }
    let args = arguments(&Uri::from_static("/"), &headers, &body);
    let text = args
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    inner.update(|s| {
        s.posted.push(Posted {
            method: "response_url".to_owned(),
            channel: format!("/commands/{team}/{id}/{secret}"),
            text,
            blocks: args.get("blocks").cloned().unwrap_or(Value::Null),
            body: Value::Object(args.clone()),
            at: Instant::now(),
        })
    });
    answer(&inner, "response_url", StatusCode::OK, json!({"ok": true}))
}

//! The floor under examples/loadgen: the cheapest Socket Mode bot that still passes loadgen's
//! checks. It opens its connections like Baton (`apps.connections.open`, then a WebSocket with
//! `TCP_NODELAY`), reads each envelope as JSON and acks it at once on one thread, with a reply
//! built from the command's text: no database, no engine, no Block Kit, no logging.
//!
//! ```text
//! cargo run --release --example loadgen -- --bot null
//! ```
//!
//! Whatever this measures at a given load is what the machine, the fake Slack and the load
//! generator cost by themselves; Baton's own work is the difference. Not a product: it answers
//! every `/handover` as if it were allowed and every other command with a fixed private text.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    let token = std::env::var("SLACK_APP_TOKEN")?;
    let api = std::env::var("SLACK_API_URL")?;
    let connections: usize = std::env::var("SLACK_CONNECTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let mut sockets = Vec::new();
    for _ in 0..connections {
        let url = open_connection(&api, &token).await?;
        let (socket, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await?;
        sockets.push(tokio::spawn(serve(socket)));
    }
    for socket in sockets {
        socket.await??;
    }
    Ok(())
}

/// `apps.connections.open` over plain HTTP/1.1 (the fake Slack is on loopback): the WebSocket URL.
async fn open_connection(api: &str, token: &str) -> Result<String, Failure> {
    let rest = api
        .strip_prefix("http://")
        .ok_or("SLACK_API_URL is not http://")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = match path.trim_end_matches('/') {
        "" => String::new(),
        prefix => format!("{prefix}/"),
    };
    let mut stream = TcpStream::connect(host).await?;
    let request = format!(
        "POST /{path}apps.connections.open HTTP/1.1\r\nHost: {host}\r\n\
         Authorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let body = response.split_once("\r\n\r\n").ok_or("no HTTP body")?.1;
    let reply: Value = serde_json::from_str(body)?;
    Ok(reply["url"].as_str().ok_or("no url in reply")?.to_owned())
}

async fn serve(
    mut socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
) -> Result<(), Failure> {
    while let Some(frame) = socket.next().await {
        let Message::Text(text) = frame? else {
            continue;
        };
        let envelope: Value = serde_json::from_str(text.as_str())?;
        let Some(id) = envelope["envelope_id"].as_str() else {
            continue; // hello, disconnect
        };
        let payload = &envelope["payload"];
        let reply = if payload["command"] == "/handover" {
            let text = payload["text"].as_str().unwrap_or("");
            let to = text
                .strip_prefix("<@")
                .and_then(|t| t.split(['|', '>']).next())
                .unwrap_or("");
            json!({"response_type": "in_channel", "text": format!("<@{to}> has the pager")})
        } else {
            json!({"response_type": "ephemeral", "text": "nothing earned"})
        };
        let ack = json!({"envelope_id": id, "payload": reply});
        socket.send(Message::Text(ack.to_string().into())).await?;
    }
    Ok(())
}

//! Simulated councillors on raw WebSockets: connect, authenticate, subscribe, then read frames.
//! Kept bare (no mirror, no outbox), so the benchmarks measure the server, not the client.

use anyhow::{bail, Context, Result};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use phonghop_protocol::{ClientFrame, ClientMessage, MeetingId};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;
pub type Sender = SplitSink<Socket, Message>;
pub type Receiver = SplitStream<Socket>;

/// A small read buffer: ten thousand clients in one process.
pub fn client_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0)
}

pub async fn connect(url: &str) -> Result<Socket> {
    let (socket, _) = tokio_tungstenite::connect_async_with_config(url, Some(client_config()), true)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    Ok(socket)
}

pub fn frame(message: ClientMessage) -> Message {
    Message::text(serde_json::to_string(&ClientFrame::new(message)).expect("client frames serialize"))
}

/// The next text frame as JSON; an error when the connection ends.
pub async fn next_json(receiver: &mut Receiver) -> Result<serde_json::Value> {
    loop {
        match receiver.next().await.context("the server closed the connection")?? {
            Message::Text(text) => return Ok(serde_json::from_str(text.as_str())?),
            Message::Close(_) => bail!("the server closed the connection"),
            _ => continue,
        }
    }
}

/// Connects, authenticates and subscribes (with no state, so a snapshot comes), and reads up to
/// `live`. Returns the two halves and the seq the subscription is at.
pub async fn subscribe(url: &str, token: &str, meeting: MeetingId) -> Result<(Sender, Receiver, u32)> {
    let (mut sender, mut receiver) = connect(url).await?.split();
    sender
        .send(frame(ClientMessage::Authenticate {
            token: token.to_owned(),
        }))
        .await?;
    sender
        .send(frame(ClientMessage::Subscribe {
            meeting_id: meeting,
            since_seq: None,
        }))
        .await?;
    loop {
        let frame = next_json(&mut receiver).await?;
        match frame["type"].as_str() {
            Some("live") => {
                let seq = frame["seq"].as_u64().context("live has a seq")? as u32;
                return Ok((sender, receiver, seq));
            }
            Some("error") => bail!("subscribing failed: {frame}"),
            _ => continue,
        }
    }
}

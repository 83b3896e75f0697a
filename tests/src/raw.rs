//! [`RawSocket`]: a bare WebSocket to `/ws` that sends whatever text or bytes a test gives it and
//! reads the server's frames one by one, for the journeys that feed the server bad input.

use anyhow::{anyhow, bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use phonghop_protocol::{ClientFrame, ClientMessage, ErrorFrame, MeetingId, ServerFrame, ServerMessage, UserView};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::wait::within;

pub struct RawSocket {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl RawSocket {
    /// Connects to `/ws` of the server at `server_url` (`http://host:port`).
    pub async fn connect(server_url: &str) -> Result<RawSocket> {
        let url = format!("ws{}/ws", server_url.trim_end_matches('/').trim_start_matches("http"));
        let (socket, _) = within(
            "the WebSocket handshake",
            tokio_tungstenite::connect_async(url.as_str()),
        )
        .await?
        .with_context(|| format!("connecting to {url}"))?;
        Ok(RawSocket { socket })
    }

    pub async fn send_text(&mut self, text: impl Into<String>) -> Result<()> {
        self.socket
            .send(Message::text(text.into()))
            .await
            .context("sending a text frame")
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) -> Result<()> {
        self.socket
            .send(Message::binary(bytes))
            .await
            .context("sending a binary frame")
    }

    /// Sends a well-formed frame of the current protocol version.
    pub async fn send(&mut self, message: ClientMessage) -> Result<()> {
        self.send_text(serde_json::to_string(&ClientFrame::new(message))?).await
    }

    /// The next frame from the server; the connection ending is an error.
    pub async fn next(&mut self) -> Result<ServerMessage> {
        loop {
            let message = within("a frame from the server", self.socket.next())
                .await?
                .ok_or_else(|| anyhow!("the server closed the connection"))?
                .context("reading from the WebSocket")?;
            match message {
                Message::Text(text) => {
                    let frame: ServerFrame = serde_json::from_str(text.as_str())
                        .with_context(|| format!("the server sent an unreadable frame: {}", text.as_str()))?;
                    if frame.v != phonghop_protocol::PROTOCOL_VERSION {
                        bail!("the server sent a frame of version {}", frame.v);
                    }
                    return Ok(frame.message);
                }
                Message::Close(close) => bail!("the server closed the connection: {close:?}"),
                _ => continue,
            }
        }
    }

    /// The next frame, which must be an error. A frame too broken to be a command answers no
    /// command; a command frame with bad fields may name the id it could read.
    pub async fn expect_error(&mut self) -> Result<ErrorFrame> {
        match self.next().await? {
            ServerMessage::Error { error, .. } => Ok(error),
            other => bail!("expected an error frame, got {other:?}"),
        }
    }

    /// The ack or error answering command `id`, skipping the meeting's broadcasts on the way.
    pub async fn answer_to(&mut self, id: &str) -> Result<ServerMessage> {
        loop {
            match self.next().await? {
                ServerMessage::Event { .. } | ServerMessage::Tally { .. } => continue,
                ServerMessage::Ack { id: answered, result } if answered == id => {
                    return Ok(ServerMessage::Ack { id: answered, result })
                }
                ServerMessage::Error {
                    id: Some(answered),
                    error,
                } if answered == id => {
                    return Ok(ServerMessage::Error {
                        id: Some(answered),
                        error,
                    })
                }
                other => bail!("expected the answer to command {id}, got {other:?}"),
            }
        }
    }

    /// Sends a ping and expects the pong: proof that the connection still works.
    pub async fn ping(&mut self) -> Result<()> {
        self.send(ClientMessage::Ping).await?;
        match self.next().await? {
            ServerMessage::Pong => Ok(()),
            other => bail!("expected pong, got {other:?}"),
        }
    }

    pub async fn authenticate(&mut self, token: &str) -> Result<UserView> {
        self.send(ClientMessage::Authenticate {
            token: token.to_owned(),
        })
        .await?;
        match self.next().await? {
            ServerMessage::Welcome { user } => Ok(user),
            other => bail!("expected welcome, got {other:?}"),
        }
    }

    /// Subscribes and reads up to the `live` frame; returns its seq.
    pub async fn subscribe(&mut self, meeting_id: MeetingId) -> Result<u32> {
        self.send(ClientMessage::Subscribe {
            meeting_id,
            since_seq: None,
        })
        .await?;
        loop {
            match self.next().await? {
                ServerMessage::Live { seq, .. } => return Ok(seq),
                ServerMessage::Snapshot { .. } | ServerMessage::Event { .. } | ServerMessage::Tally { .. } => continue,
                other => bail!("expected a snapshot and live, got {other:?}"),
            }
        }
    }

    /// Awaits the end of the connection: a close frame, the stream ending, or a reset.
    pub async fn closed(&mut self) -> Result<()> {
        loop {
            match within("the server to close the connection", self.socket.next()).await? {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(()),
                Some(Ok(Message::Text(text))) => {
                    bail!("expected the connection to close, got {}", text.as_str())
                }
                Some(Ok(_)) => continue,
            }
        }
    }
}

//! The baselines' server: bare tokio-tungstenite with nothing of phonghop in it, so a figure
//! beside it shows what phonghop adds to the stack it stands on. It runs as a child process of
//! the bench (`phonghop-bench bare-server`), like phonghop-server, on the same kind of socket.
//!
//! At `/broadcast` every text frame a client sends goes to every connected client (the frame is
//! serialized once, its bytes shared). At `/echo` each frame goes back to its sender only.

use std::process::Stdio;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

#[derive(clap::Args)]
pub struct Options {
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
}

/// Serves until killed; prints `BARE_LISTENING ws://ADDR` when ready.
pub async fn serve(options: Options) -> Result<()> {
    crate::report::raise_open_file_limit()?;
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(options.listen.parse()?)?;
    let listener: TcpListener = socket.listen(4096)?;
    println!("BARE_LISTENING ws://{}", listener.local_addr()?);
    let (everyone, _) = broadcast::channel::<Utf8Bytes>(1024);
    let everyone = Arc::new(everyone);
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let everyone = Arc::clone(&everyone);
        tokio::spawn(async move {
            let mut path = String::new();
            let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
            // The callback's error type is tungstenite's, large by its design.
            #[allow(clippy::result_large_err)]
            let accepted = tokio_tungstenite::accept_hdr_async_with_config(
                stream,
                |request: &Request, response: Response| {
                    path = request.uri().path().to_owned();
                    Ok(response)
                },
                Some(config),
            )
            .await;
            let Ok(socket) = accepted else { return };
            let (mut sender, mut receiver) = socket.split();
            if path == "/echo" {
                while let Some(Ok(message)) = receiver.next().await {
                    if let Message::Text(text) = message {
                        if sender.send(Message::Text(text)).await.is_err() {
                            return;
                        }
                    }
                }
                return;
            }
            let mut frames = everyone.subscribe();
            loop {
                tokio::select! {
                    incoming = receiver.next() => match incoming {
                        Some(Ok(Message::Text(text))) => { let _ = everyone.send(text); }
                        Some(Ok(_)) => {}
                        _ => return,
                    },
                    frame = frames.recv() => match frame {
                        Ok(text) => if sender.send(Message::Text(text)).await.is_err() { return },
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                }
            }
        });
    }
}

/// The bare server as a child process, killed on drop.
pub struct BareServer {
    child: Child,
    /// `ws://127.0.0.1:PORT`.
    pub url: String,
}

impl BareServer {
    pub async fn start() -> Result<BareServer> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("bare-server")
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting the bare server")?;
        let mut lines = BufReader::new(child.stdout.take().context("its output")?).lines();
        while let Some(line) = lines.next_line().await? {
            if let Some(url) = line.strip_prefix("BARE_LISTENING ") {
                return Ok(BareServer {
                    child,
                    url: url.trim().to_owned(),
                });
            }
        }
        bail!("the bare server stopped before listening")
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or_default()
    }
}

//! [`CuttableProxy`]: a TCP proxy between clients and the server that can cut the network, as a
//! meeting hall's Wi-Fi does: `cut()` drops every open connection and refuses new ones (each is
//! closed as soon as it is accepted) until `restore()`. `stall()` first loses what clients send
//! while still passing what the server sends, as a link that is failing does: commands leave the
//! client and never arrive.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The state of the network between clients and the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    Up,
    /// Bytes from clients are lost; bytes from the server still arrive.
    Stalled,
    Cut,
}

pub struct CuttableProxy {
    address: SocketAddr,
    /// Every piped connection watches it; dropping the sender (with the proxy) ends them all.
    link: watch::Sender<Link>,
    accept_task: JoinHandle<()>,
}

impl CuttableProxy {
    /// Listens on `127.0.0.1:0` and pipes every connection to `upstream` (`host:port`).
    pub async fn start(upstream: &str) -> Result<CuttableProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await.context("binding the proxy")?;
        let address = listener.local_addr()?;
        let (link, _) = watch::channel(Link::Up);
        let accept_task = tokio::spawn(accept(listener, upstream.to_owned(), link.clone()));
        Ok(CuttableProxy {
            address,
            link,
            accept_task,
        })
    }

    /// `http://127.0.0.1:PORT` of the proxy, for clients to log in and connect through.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.link.send_replace(Link::Cut);
    }

    /// Loses everything clients send from now on, until `cut()` or `restore()`. Call it between
    /// frames (when nothing is being sent), so no frame is cut in half.
    pub fn stall(&self) {
        self.link.send_replace(Link::Stalled);
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.link.send_replace(Link::Up);
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.accept_task.abort();
        self.link.send_replace(Link::Cut);
    }
}

async fn accept(listener: TcpListener, upstream: String, link: watch::Sender<Link>) {
    while let Ok((client, _)) = listener.accept().await {
        if *link.borrow() == Link::Cut {
            drop(client);
            continue;
        }
        tokio::spawn(pipe(client, upstream.clone(), link.subscribe()));
    }
}

/// Copies bytes both ways until either side closes or the network is cut.
async fn pipe(client: TcpStream, upstream: String, mut link: watch::Receiver<Link>) {
    let Ok(server) = TcpStream::connect(&upstream).await else {
        return;
    };
    let (client_read, mut client_write) = client.into_split();
    let (mut server_read, server_write) = server.into_split();
    tokio::select! {
        _ = upstream_bytes(client_read, server_write, link.clone()) => {}
        _ = tokio::io::copy(&mut server_read, &mut client_write) => {}
        _ = link.wait_for(|link| *link == Link::Cut) => {}
    }
}

/// Client to server: forwarded while the link is up, lost while it is stalled.
async fn upstream_bytes(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, link: watch::Receiver<Link>) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        if *link.borrow() == Link::Stalled {
            continue;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}

//! [`CuttableProxy`]: a TCP proxy between clients and the server that can cut the network, as a
//! meeting hall's Wi-Fi does: `cut()` drops every open connection and refuses new ones (each is
//! closed as soon as it is accepted) until `restore()`. `stall()` first loses what clients send
//! while still passing what the server sends, as a link that is failing does: commands leave the
//! client and never arrive. `cut_after(n)` cuts the network once `n` more bytes have come from
//! the server, in the middle of a download; `bytes_from_server()` counts what came through.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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
    counter: Arc<ServerBytes>,
}

/// Bytes that came from the server, and the count at which the link is cut.
#[derive(Default)]
struct ServerBytes {
    passed: AtomicU64,
    cut_at: AtomicU64,
}

impl CuttableProxy {
    /// Listens on `127.0.0.1:0` and pipes every connection to `upstream` (`host:port`).
    pub async fn start(upstream: &str) -> Result<CuttableProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await.context("binding the proxy")?;
        let address = listener.local_addr()?;
        let (link, _) = watch::channel(Link::Up);
        let counter = Arc::new(ServerBytes {
            passed: AtomicU64::new(0),
            cut_at: AtomicU64::new(u64::MAX),
        });
        let accept_task = tokio::spawn(accept(listener, upstream.to_owned(), link.clone(), counter.clone()));
        Ok(CuttableProxy {
            address,
            link,
            accept_task,
            counter,
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
        self.counter.cut_at.store(u64::MAX, Ordering::SeqCst);
        self.link.send_replace(Link::Up);
    }

    /// Cuts the network as soon as `bytes` more have come from the server (the bytes past that
    /// point are not delivered).
    pub fn cut_after(&self, bytes: u64) {
        let now = self.counter.passed.load(Ordering::SeqCst);
        self.counter.cut_at.store(now + bytes, Ordering::SeqCst);
    }

    /// Every byte that has come from the server through the proxy so far.
    pub fn bytes_from_server(&self) -> u64 {
        self.counter.passed.load(Ordering::SeqCst)
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.accept_task.abort();
        self.link.send_replace(Link::Cut);
    }
}

async fn accept(listener: TcpListener, upstream: String, link: watch::Sender<Link>, counter: Arc<ServerBytes>) {
    while let Ok((client, _)) = listener.accept().await {
        if *link.borrow() == Link::Cut {
            drop(client);
            continue;
        }
        tokio::spawn(pipe(client, upstream.clone(), link.clone(), counter.clone()));
    }
}

/// Copies bytes both ways until either side closes or the network is cut.
async fn pipe(client: TcpStream, upstream: String, cutter: watch::Sender<Link>, counter: Arc<ServerBytes>) {
    let mut link = cutter.subscribe();
    let Ok(server) = TcpStream::connect(&upstream).await else {
        return;
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    tokio::select! {
        _ = upstream_bytes(client_read, server_write, link.clone()) => {}
        _ = downstream_bytes(server_read, client_write, &cutter, &counter) => {}
        _ = link.wait_for(|link| *link == Link::Cut) => {}
    }
}

/// Server to client, counted; past the count set by `cut_after`, the network is cut.
async fn downstream_bytes(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    cutter: &watch::Sender<Link>,
    counter: &ServerBytes,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        let before = counter.passed.fetch_add(read as u64, Ordering::SeqCst);
        let cut_at = counter.cut_at.load(Ordering::SeqCst);
        let deliver = if before + read as u64 > cut_at {
            cut_at.saturating_sub(before) as usize
        } else {
            read
        };
        if deliver > 0 && to.write_all(&buffer[..deliver]).await.is_err() {
            return;
        }
        if deliver < read {
            cutter.send_replace(Link::Cut);
            return;
        }
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

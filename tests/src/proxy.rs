//! [`CuttableProxy`]: a TCP proxy between clients and the server that can cut the network, as a
//! meeting hall's Wi-Fi does: `cut()` drops every open connection and refuses new ones (each is
//! closed as soon as it is accepted) until `restore()`.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct CuttableProxy {
    address: SocketAddr,
    /// `true` while the network is cut. Every piped connection watches it; dropping the sender
    /// (with the proxy) ends them all.
    cut: watch::Sender<bool>,
    accept_task: JoinHandle<()>,
}

impl CuttableProxy {
    /// Listens on `127.0.0.1:0` and pipes every connection to `upstream` (`host:port`).
    pub async fn start(upstream: &str) -> Result<CuttableProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await.context("binding the proxy")?;
        let address = listener.local_addr()?;
        let (cut, _) = watch::channel(false);
        let accept_task = tokio::spawn(accept(listener, upstream.to_owned(), cut.clone()));
        Ok(CuttableProxy {
            address,
            cut,
            accept_task,
        })
    }

    /// `http://127.0.0.1:PORT` of the proxy, for clients to log in and connect through.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.cut.send_replace(true);
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.cut.send_replace(false);
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.accept_task.abort();
        self.cut.send_replace(true);
    }
}

async fn accept(listener: TcpListener, upstream: String, cut: watch::Sender<bool>) {
    while let Ok((client, _)) = listener.accept().await {
        if *cut.borrow() {
            drop(client);
            continue;
        }
        tokio::spawn(pipe(client, upstream.clone(), cut.subscribe()));
    }
}

/// Copies bytes both ways until either side closes or the network is cut.
async fn pipe(mut client: TcpStream, upstream: String, mut cut: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(&upstream).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = cut.wait_for(|cut| *cut) => {}
    }
}

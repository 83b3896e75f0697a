//! The state every handler shares, and [`serve`], which runs the HTTP and WebSocket server.

use std::future::Future;
use std::sync::Arc;

use phonghop_record::RecordKey;
use phonghop_store::{PostgresStore, SqliteStore, Store};
use tokio::net::TcpListener;

use crate::auth::{LoginLimiter, SessionCache};
use crate::blobs::BlobStore;
use crate::config::Config;
use crate::hub::Hub;
use crate::office::OfficeConverter;
use crate::passwords::PasswordChecker;
use crate::timed_polls::TimedPolls;
use crate::writer::Writer;

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub hub: Arc<Hub>,
    /// Every change to a meeting goes through here.
    pub writer: Writer,
    pub blobs: Arc<BlobStore>,
    /// Office uploads to PDF.
    pub office: Arc<OfficeConverter>,
    pub login_limiter: Arc<LoginLimiter>,
    pub passwords: PasswordChecker,
    pub sessions: Arc<SessionCache>,
    /// Signs the result records of closed polls; made on first start in the data folder.
    pub record_key: Arc<RecordKey>,
    /// The timed polls being waited for, to close them on time.
    pub timed_polls: Arc<TimedPolls>,
    /// Tells the hall screens open on the WebSocket that a meeting's codes were revoked.
    pub hall_revocations: tokio::sync::broadcast::Sender<phonghop_protocol::MeetingId>,
    /// Tells the WebSockets open that a laptop (by its id) was revoked.
    pub device_revocations: tokio::sync::broadcast::Sender<Arc<str>>,
}

impl App {
    /// Opens (or creates) the database (SQLite under `config.data_dir`, or PostgreSQL at
    /// `config.database`) and the blob folder under `config.data_dir`.
    pub async fn open(config: Config) -> anyhow::Result<App> {
        use anyhow::Context;
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating the data folder {}", config.data_dir.display()))?;
        let store: Arc<dyn Store> = match &config.database {
            None => Arc::new(
                SqliteStore::open(&config.database_path())
                    .await
                    .with_context(|| format!("opening the database {}", config.database_name()))?,
            ),
            // The keys of open secret polls stay out of the database, in the data folder every
            // instance shares (docs/deploy.md).
            Some(url) => Arc::new(
                PostgresStore::connect(url, &config.data_dir.join("ballot-keys"))
                    .await
                    .with_context(|| format!("connecting to the database {}", config.database_name()))?,
            ),
        };
        let blobs =
            BlobStore::open(config.data_dir.join("blobs"), config.hot_blob_bytes).context("opening the blob folder")?;
        let hub = Arc::new(Hub::new(config.tally_interval));
        // LibreOffice's profile is one process's: instances sharing the data folder (PostgreSQL)
        // each keep theirs in their own temporary folder (emptied when the service stops).
        let profile = match &config.database {
            None => config.data_dir.join("libreoffice-profile"),
            Some(_) => std::env::temp_dir().join(format!("phonghop-libreoffice-profile-{}", std::process::id())),
        };
        let office = OfficeConverter::new(config.soffice.clone(), profile, config.office_time_limit);
        let record_key = RecordKey::load_or_create(&config.data_dir.join(crate::records::KEY_FILE))
            .context("reading or making the record signing key")?;
        tracing::info!(fingerprint = %record_key.fingerprint(), public_key = %record_key.public_hex(), "poll records are signed with this key");
        if !office.is_available() {
            tracing::warn!("LibreOffice (soffice) was not found: Office uploads will be refused");
        }
        let app = App {
            writer: Writer::start(Arc::clone(&store), Arc::clone(&hub)),
            hub,
            store,
            blobs: Arc::new(blobs),
            office: Arc::new(office),
            login_limiter: Arc::new(LoginLimiter::new(
                config.max_failed_logins,
                config.max_failed_logins_per_address,
            )),
            passwords: PasswordChecker::start(config.password_threads, config.password_queue),
            sessions: Arc::new(SessionCache::default()),
            record_key: Arc::new(record_key),
            timed_polls: Arc::new(TimedPolls::default()),
            hall_revocations: tokio::sync::broadcast::channel(16).0,
            device_revocations: tokio::sync::broadcast::channel(1024).0,
            config: Arc::new(config),
        };
        crate::instances::follow_other_instances(&app);
        Ok(app)
    }
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let router = crate::api::router(app);
    // The peer address feeds the login limit (per username and address).
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    // Without TCP_NODELAY, Nagle's algorithm and the client's delayed ACK hold many small
    // answers (an ack, the tail of a download) for ~40 ms.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY could not be set");
        }
    });
    axum::serve(listener, service).with_graceful_shutdown(shutdown).await
}

/// Serves `app` over TLS on `listener` until `shutdown` completes: each connection's handshake
/// runs in its own task ([`crate::tls::TlsListener`]).
pub async fn serve_tls(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let router = crate::api::router(app);
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    // Through `tap_io` axum knows the peer address of a listener of its own kind.
    let listener = crate::tls::TlsListener::new(listener, acceptor)?.tap_io(|_| {});
    axum::serve(listener, service).with_graceful_shutdown(shutdown).await
}

/// Binds `address` with a large accept backlog: a hall of laptops reconnecting at once after the
/// Wi-Fi returns would overflow the usual 128 and make clients wait a second to retry.
pub fn bind(address: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(4096)
}

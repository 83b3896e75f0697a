//! HTTPS and WSS with rustls: the server's identity (a certificate it makes itself with rcgen
//! on first start and keeps in `<data>/tls/`, or the operator's own), its fingerprint (SHA-256
//! of the certificate, which the app pins and the secretariat reads out or shows as a QR code),
//! and [`TlsListener`], which does each TLS handshake in a task of its own so a slow or silent
//! client never holds up the others, then hands axum finished connections.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use phonghop_protocol::http::{handover_message, CertificateHandover, CertificateHandovers};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A handshake not finished in this time is dropped.
const HANDSHAKE_TIME_LIMIT: Duration = Duration::from_secs(10);
/// Finished connections waiting for axum to take them.
const READY_QUEUE: usize = 1024;

/// The server's certificate chain and key, and the end certificate's fingerprint.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    /// SHA-256 of the end certificate (DER): what the app pins.
    pub fingerprint: [u8; 32],
}

impl Identity {
    /// The identity kept in `<data_dir>/tls/` (`certificate.pem`, `key.pem`), made on first use:
    /// a self-signed ECDSA P-256 certificate for `names` (host names or IP addresses the
    /// server is reached by; the app checks the fingerprint, not the names).
    pub fn load_or_create(data_dir: &Path, names: &[String]) -> Result<Identity> {
        let folder = data_dir.join("tls");
        let (certificate, key) = (folder.join("certificate.pem"), folder.join("key.pem"));
        if !certificate.exists() {
            std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
            make_own(&certificate, &key, names)?;
            tracing::info!(certificate = %certificate.display(), "a new TLS certificate was made for this server");
        }
        Identity::from_files(&certificate, &key)
    }

    /// This identity's key signing that `next` is the server's certificate from now on.
    pub fn hand_over_to(&self, next: &Identity) -> Result<CertificateHandover> {
        use rustls::SignatureScheme;
        let signing = rustls::crypto::ring::sign::any_supported_type(&self.key).context("the old key cannot sign")?;
        let signer = signing
            .choose_scheme(&[
                SignatureScheme::ECDSA_NISTP256_SHA256,
                SignatureScheme::ECDSA_NISTP384_SHA384,
                SignatureScheme::ED25519,
                SignatureScheme::RSA_PSS_SHA256,
            ])
            .context("the old key signs with no scheme a hand-over may use")?;
        let (from, to) = (hex::encode(self.fingerprint), hex::encode(next.fingerprint));
        let signature = signer
            .sign(&handover_message(&from, &to))
            .context("signing the hand-over")?;
        Ok(CertificateHandover {
            from,
            to,
            certificate: hex::encode(self.chain[0].as_ref()),
            scheme: u16::from(signer.scheme()),
            signature: hex::encode(signature),
        })
    }

    /// The operator's own certificate chain and key (PEM files).
    pub fn from_files(certificate: &Path, key: &Path) -> Result<Identity> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(certificate)
            .with_context(|| format!("reading {}", certificate.display()))?
            .collect::<Result<_, _>>()
            .with_context(|| format!("{} is not a PEM certificate chain", certificate.display()))?;
        let Some(end) = chain.first() else {
            bail!("{} holds no certificate", certificate.display());
        };
        let fingerprint = Sha256::digest(end.as_ref()).into();
        let key = PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading the key {}", key.display()))?;
        Ok(Identity {
            chain,
            key,
            fingerprint,
        })
    }

    /// The fingerprint as people compare it: 16 groups of 4 hex digits.
    pub fn fingerprint_text(&self) -> String {
        fingerprint_text(&self.fingerprint)
    }

    /// An acceptor for TLS 1.2 and 1.3 with this identity, speaking HTTP/1.1.
    pub fn acceptor(&self) -> Result<TlsAcceptor> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS versions")?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .context("the certificate does not match its key")?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// Makes a self-signed ECDSA P-256 certificate for localhost, 127.0.0.1 and `names`, and its key.
fn make_own(certificate: &Path, key: &Path, names: &[String]) -> Result<()> {
    let mut subject_names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    subject_names.extend(names.iter().cloned());
    let mut params = rcgen::CertificateParams::new(subject_names).context("the certificate's names")?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "phonghop — máy chủ phòng họp");
    // Ten years: the pin, not the dates, is what the app trusts.
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2035, 12, 31);
    let key_pair = rcgen::KeyPair::generate().context("making the server's key")?;
    let made = params.self_signed(&key_pair).context("making the certificate")?;
    write_private(key, key_pair.serialize_pem().as_bytes())?;
    std::fs::write(certificate, made.pem()).with_context(|| format!("writing {}", certificate.display()))
}

/// Where the hand-overs are kept.
fn handovers_path(data_dir: &Path) -> PathBuf {
    data_dir.join("tls").join("handovers.json")
}

/// Every hand-over this server's own certificate made (none before its first rotation).
pub fn handovers(data_dir: &Path) -> Result<CertificateHandovers> {
    let path = handovers_path(data_dir);
    match std::fs::read(&path) {
        Ok(json) => serde_json::from_slice(&json).with_context(|| format!("{} cannot be read", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(CertificateHandovers::default()),
        Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
    }
}

/// Replaces the server's own certificate with a new one, its old key signing the hand-over
/// (kept in `<data>/tls/handovers.json` and served at `GET /api/tls/handovers`), so every laptop
/// that pinned the old one moves to the new one by itself. The old key is deleted, the old
/// certificate kept as `certificate.<its fingerprint's first 16 digits>.retired.pem`. Takes
/// effect when the server starts next.
pub fn rotate(data_dir: &Path, names: &[String]) -> Result<CertificateHandover> {
    let folder = data_dir.join("tls");
    let (certificate, key) = (folder.join("certificate.pem"), folder.join("key.pem"));
    if !certificate.exists() {
        bail!(
            "{} holds no certificate of the server's own: nothing to hand over (an operator's own \
             certificate is changed by pinning the new one again on each laptop)",
            folder.display()
        );
    }
    let old = Identity::from_files(&certificate, &key)?;
    let (next_certificate, next_key) = (folder.join("certificate.next.pem"), folder.join("key.next.pem"));
    for stale in [&next_certificate, &next_key] {
        if stale.exists() {
            std::fs::remove_file(stale).with_context(|| format!("removing {}", stale.display()))?;
        }
    }
    make_own(&next_certificate, &next_key, names)?;
    let next = Identity::from_files(&next_certificate, &next_key)?;
    let handover = old.hand_over_to(&next)?;
    // The hand-over is on the disk before the new certificate takes the old one's place.
    let mut all = handovers(data_dir)?;
    all.handovers.push(handover.clone());
    let written = folder.join("handovers.json.new");
    std::fs::write(&written, serde_json::to_vec_pretty(&all)?)
        .with_context(|| format!("writing {}", written.display()))?;
    std::fs::rename(&written, handovers_path(data_dir)).context("keeping the hand-over")?;
    let retired = folder.join(format!("certificate.{}.retired.pem", &handover.from[..16]));
    std::fs::rename(&certificate, &retired).context("retiring the old certificate")?;
    std::fs::remove_file(&key).context("deleting the old key")?;
    std::fs::rename(&next_key, &key).context("putting the new key in place")?;
    std::fs::rename(&next_certificate, &certificate).context("putting the new certificate in place")?;
    Ok(handover)
}

/// `AB12 CD34 …`: 32 bytes as 16 groups of 4 uppercase hex digits.
pub fn fingerprint_text(fingerprint: &[u8; 32]) -> String {
    let hex = hex::encode_upper(fingerprint);
    hex.as_bytes()
        .chunks(4)
        .map(|group| std::str::from_utf8(group).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The fingerprint as a QR code drawn with block characters, for a terminal (two rows of the
/// code per line).
pub fn fingerprint_qr(fingerprint: &[u8; 32]) -> Result<String> {
    let code = qrcode::QrCode::new(format!("phonghop:sha256:{}", hex::encode_upper(fingerprint)))
        .context("drawing the fingerprint's QR code")?;
    Ok(code
        .render::<qrcode::render::unicode::Dense1x2>()
        .quiet_zone(true)
        .build())
}

/// Writes a private key readable by this account only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

/// Where the identity comes from: made and kept by the server, or given by the operator.
#[derive(Debug, Clone)]
pub enum IdentitySource {
    Own { names: Vec<String> },
    Given { certificate: PathBuf, key: PathBuf },
}

impl IdentitySource {
    pub fn load(&self, data_dir: &Path) -> Result<Identity> {
        match self {
            IdentitySource::Own { names } => Identity::load_or_create(data_dir, names),
            IdentitySource::Given { certificate, key } => Identity::from_files(certificate, key),
        }
    }
}

/// TCP connections taken through the TLS handshake, each in its own task, then handed to axum.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (hand_over, ready) = mpsc::channel(READY_QUEUE);
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: give the system a moment,
                        // as axum does for plain TCP.
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::debug!(%error, "TCP_NODELAY could not be set");
                }
                let (acceptor, ready) = (acceptor.clone(), hand_over.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIME_LIMIT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = ready.send((tls, peer)).await;
                        }
                        // A plain-text client, a scanner, a client that refused our certificate.
                        Ok(Err(error)) => tracing::debug!(%peer, %error, "a TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "a TLS handshake took too long"),
                    }
                });
                if hand_over.is_closed() {
                    return;
                }
            }
        });
        Ok(TlsListener { ready, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accepting task only ends when this listener is gone.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotation_keeps_the_signed_hand_over_retires_the_old_certificate_and_deletes_its_key() {
        let data = tempfile::tempdir().expect("a folder");
        let refused = rotate(data.path(), &[]).expect_err("nothing to rotate yet");
        assert!(format!("{refused:#}").contains("nothing to hand over"), "{refused:#}");

        let first = Identity::load_or_create(data.path(), &[]).expect("made");
        let handover = rotate(data.path(), &["hop.ubnd.vn".to_owned()]).expect("rotated");
        let second = Identity::load_or_create(data.path(), &[]).expect("the new one, kept");
        assert_eq!(handover.from, hex::encode(first.fingerprint));
        assert_eq!(handover.to, hex::encode(second.fingerprint));
        assert_eq!(
            handover.scheme,
            u16::from(rustls::SignatureScheme::ECDSA_NISTP256_SHA256)
        );
        assert_eq!(handover.certificate, hex::encode(first.chain[0].as_ref()));
        let folder = data.path().join("tls");
        assert!(folder
            .join(format!("certificate.{}.retired.pem", &handover.from[..16]))
            .exists());
        let left: Vec<String> = std::fs::read_dir(&folder)
            .expect("the folder")
            .map(|entry| entry.expect("an entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left.iter().filter(|name| name.contains("key")).count(), 1, "{left:?}");
        rotate(data.path(), &[]).expect("again");
        let kept = handovers(data.path()).expect("read");
        assert_eq!(kept.handovers.len(), 2);
        assert_eq!(kept.handovers[0], handover);
        assert_eq!(kept.handovers[1].from, handover.to);
    }

    #[test]
    fn an_identity_is_made_once_and_kept() {
        let dir = tempfile::tempdir().expect("a folder");
        let first = Identity::load_or_create(dir.path(), &["hop.local".into()]).expect("made");
        let again = Identity::load_or_create(dir.path(), &[]).expect("loaded");
        assert_eq!(first.fingerprint, again.fingerprint);
        let other = tempfile::tempdir().expect("a folder");
        let another = Identity::load_or_create(other.path(), &[]).expect("made");
        assert_ne!(first.fingerprint, another.fingerprint, "each server has its own");
        assert!(first.acceptor().is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("tls/key.pem"))
                .expect("the key")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the key is the server account's alone");
        }
    }

    #[test]
    fn a_fingerprint_reads_in_groups_of_four() {
        let text = fingerprint_text(&[0xab; 32]);
        assert_eq!(text.split(' ').count(), 16);
        assert!(text.starts_with("ABAB ABAB "));
        assert!(fingerprint_qr(&[0xab; 32]).expect("a code").lines().count() > 10);
    }

    #[test]
    fn a_key_that_is_not_the_certificates_is_refused() {
        let (one, two) = (
            tempfile::tempdir().expect("a folder"),
            tempfile::tempdir().expect("a folder"),
        );
        Identity::load_or_create(one.path(), &[]).expect("made");
        Identity::load_or_create(two.path(), &[]).expect("made");
        let mixed = Identity::from_files(&one.path().join("tls/certificate.pem"), &two.path().join("tls/key.pem"))
            .expect("both files read");
        assert!(mixed.acceptor().is_err());
        assert!(Identity::from_files(&one.path().join("tls/missing.pem"), &one.path().join("tls/key.pem")).is_err());
    }
}

//! Talking to the server over TLS with its identity pinned: the server's certificate is trusted
//! only if its SHA-256 is the fingerprint this laptop pinned — no certificate authority, no host
//! name. The handshake's signatures are still checked, so only the holder of the pinned
//! certificate's key can answer. [`probe`] learns a new server's fingerprint for a person to
//! compare with the one the secretariat shows, before anything is sent to it.

use std::fmt;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};
use sha2::{Digest, Sha256};

use crate::error::{ClientError, Result};

/// The SHA-256 of a server's certificate (DER).
#[derive(Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn of_certificate(der: &[u8]) -> Fingerprint {
        Fingerprint(Sha256::digest(der).into())
    }

    /// Reads 64 hex digits, in any case, with or without spaces or colons between them.
    pub fn parse(text: &str) -> Result<Fingerprint> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace() && *c != ':').collect();
        let bytes = hex::decode(&digits)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| ClientError::Protocol(format!("{text:?} is not a SHA-256 fingerprint (64 hex digits)")))?;
        Ok(Fingerprint(bytes))
    }

    /// Lowercase hex, no spaces (as the server prints it for scripts).
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// As people compare it: 16 groups of 4 uppercase hex digits.
impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = hex::encode_upper(self.0);
        let groups: Vec<&str> = (0..16).map(|group| &hex[group * 4..group * 4 + 4]).collect();
        f.write_str(&groups.join(" "))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl From<Fingerprint> for String {
    fn from(fingerprint: Fingerprint) -> String {
        fingerprint.hex()
    }
}

impl TryFrom<String> for Fingerprint {
    type Error = String;
    fn try_from(text: String) -> Result<Fingerprint, String> {
        Fingerprint::parse(&text).map_err(|error| error.to_string())
    }
}

/// The server showed a certificate other than the pinned one. Carried inside rustls's error
/// and found again by [`ClientError`]'s conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server's certificate {presented} is not the pinned {pinned}")]
pub struct PinMismatch {
    pub pinned: Fingerprint,
    pub presented: Fingerprint,
}

/// Trusts the end certificate whose fingerprint is `pinned` (or, with no pin, any, remembering
/// which it saw), and checks the handshake's signatures with it.
#[derive(Debug)]
struct PinnedVerifier {
    pinned: Option<Fingerprint>,
    seen: SeenFingerprint,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = Fingerprint::of_certificate(end_entity.as_ref());
        *self.seen.lock().expect("fingerprint lock") = Some(presented);
        match self.pinned {
            Some(pinned) if pinned != presented => Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(PinMismatch { pinned, presented })),
            ))),
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// Where a verifier writes the fingerprint of the certificate it was shown.
pub type SeenFingerprint = Arc<Mutex<Option<Fingerprint>>>;

/// A TLS client configuration trusting only `pinned` (any certificate when `None`, which only
/// [`probe`] uses), and the slot the verifier writes the fingerprint it saw into.
pub fn client_config(pinned: Option<Fingerprint>) -> Result<(Arc<rustls::ClientConfig>, SeenFingerprint)> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let seen = Arc::new(Mutex::new(None));
    let verifier = PinnedVerifier {
        pinned,
        seen: Arc::clone(&seen),
        provider: Arc::clone(&provider),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| ClientError::Protocol(format!("TLS: {error}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((Arc::new(config), seen))
}

/// Whether `server` (`https://…` or `http://…`) is reached over TLS.
pub fn is_tls(server: &str) -> bool {
    server.trim().to_ascii_lowercase().starts_with("https://")
}

/// The HTTP client for `server`: over TLS trusting only `pinned`; plain for an `http://`
/// address. An `https://` address without a pin is refused: [`probe`] it first.
pub fn http_client_for(server: &str, pinned: Option<Fingerprint>) -> Result<reqwest::Client> {
    let builder = reqwest::Client::builder().connect_timeout(std::time::Duration::from_secs(5));
    let builder = if is_tls(server) {
        let pinned = pinned.ok_or(ClientError::NotPinned)?;
        let (config, _) = client_config(Some(pinned))?;
        builder.use_preconfigured_tls(Arc::unwrap_or_clone(config))
    } else {
        builder
    };
    builder.build().map_err(|err| ClientError::Unreachable(err.to_string()))
}

/// Connects to an `https://` server without trusting it and tells its certificate's fingerprint,
/// for a person to compare with the secretariat's before pinning it. Nothing but the handshake
/// and `GET /api/health` is sent.
pub async fn probe(server: &str) -> Result<Fingerprint> {
    let server = server.trim().trim_end_matches('/');
    if !is_tls(server) {
        return Err(ClientError::Protocol(format!("{server} is not an https:// address")));
    }
    let (client, seen) = untrusting_client()?;
    client.get(format!("{server}/api/health")).send().await?;
    let seen = *seen.lock().expect("fingerprint lock");
    seen.ok_or_else(|| ClientError::Protocol("the server showed no certificate".into()))
}

/// An HTTP client that trusts any certificate, and where it notes the one it was shown: for
/// [`probe`] and for following a hand-over (`handover.rs`), which send nothing that matters before
/// the certificate is checked.
pub(crate) fn untrusting_client() -> Result<(reqwest::Client, SeenFingerprint)> {
    let (config, seen) = client_config(None)?;
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(5))
        .use_preconfigured_tls(Arc::unwrap_or_clone(config))
        .build()
        .map_err(|err| ClientError::Unreachable(err.to_string()))?;
    Ok((client, seen))
}

/// The [`PinMismatch`] somewhere inside `error`'s chain of sources (an I/O error's inner error
/// included, which `source()` skips), if the connection failed for it.
pub fn pin_mismatch_in(error: &(dyn std::error::Error + 'static)) -> Option<PinMismatch> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = next {
        if let Some(found) = mismatch_of(error) {
            return Some(found);
        }
        if let Some(inner) = error.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            if let Some(found) = pin_mismatch_in(inner) {
                return Some(found);
            }
        }
        next = error.source();
    }
    None
}

fn mismatch_of(error: &(dyn std::error::Error + 'static)) -> Option<PinMismatch> {
    if let Some(found) = error.downcast_ref::<PinMismatch>() {
        return Some(*found);
    }
    match error.downcast_ref::<rustls::Error>()? {
        rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(inner))) => {
            inner.downcast_ref::<PinMismatch>().copied()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_reads_as_people_and_scripts_write_it() {
        let hex = "ab".repeat(32);
        let fingerprint = Fingerprint::parse(&hex).expect("64 hex digits");
        assert_eq!(fingerprint.to_string().split(' ').count(), 16);
        assert_eq!(
            Fingerprint::parse(&fingerprint.to_string()).expect("grouped"),
            fingerprint
        );
        let colons: Vec<String> = fingerprint.0.iter().map(|byte| format!("{byte:02X}")).collect();
        assert_eq!(Fingerprint::parse(&colons.join(":")).expect("with colons"), fingerprint);
        assert!(Fingerprint::parse("abcd").is_err());
        assert!(Fingerprint::parse(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn a_mismatch_is_found_inside_an_io_error_inside_a_rustls_error() {
        let mismatch = PinMismatch {
            pinned: Fingerprint([1; 32]),
            presented: Fingerprint([2; 32]),
        };
        let rustls_error = rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(mismatch))));
        let io = std::io::Error::other(rustls_error);
        assert_eq!(pin_mismatch_in(&io), Some(mismatch));
        assert_eq!(pin_mismatch_in(&std::io::Error::other("refused")), None);
    }

    #[test]
    fn an_https_server_needs_a_pin_and_an_http_one_none() {
        assert!(matches!(
            http_client_for("https://hall:8443", None),
            Err(ClientError::NotPinned)
        ));
        assert!(http_client_for("https://hall:8443", Some(Fingerprint([3; 32]))).is_ok());
        assert!(http_client_for("http://127.0.0.1:8080", None).is_ok());
    }
}

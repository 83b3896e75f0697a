//! Following the server's signed hand-over from the certificate this laptop pinned to the one it
//! shows now (docs/protocol.md §3.25). The secretariat rotates the server's certificate with
//! `phonghop-server rotate-certificate`; the old key signs "my next certificate is …". A laptop
//! told `certificate_changed` asks the server for its hand-overs and moves its pin only along a
//! chain that starts at its pin, where each step carries the certificate of its `from` and a
//! signature of that certificate's key, and that ends at the certificate the server presented in
//! the very handshake the hand-overs came through. Anyone else's certificate stays refused: making
//! a hand-over needs the pinned certificate's private key.

use phonghop_protocol::http::{handover_message, CertificateHandover, CertificateHandovers};
use rustls::pki_types::CertificateDer;
use rustls::SignatureScheme;

use crate::error::{ClientError, Result};
use crate::tls::{is_tls, untrusting_client, Fingerprint};

/// The longest chain followed (rotations while a laptop stayed away).
const MAX_STEPS: usize = 16;

/// The fingerprint `server` hands its identity over to from `pinned`: `Some` only when the
/// server's hand-overs lead from `pinned` to the certificate it presents; `None` when they do not.
pub async fn follow(server: &str, pinned: Fingerprint) -> Result<Option<Fingerprint>> {
    let server = server.trim().trim_end_matches('/');
    if !is_tls(server) {
        return Ok(None);
    }
    // Not trusting the certificate yet: what it says counts only if the chain checks.
    let (client, seen) = untrusting_client()?;
    let response = client.get(format!("{server}/api/tls/handovers")).send().await?;
    let presented = (*seen.lock().expect("fingerprint lock"))
        .ok_or_else(|| ClientError::Protocol("the server showed no certificate".into()))?;
    if !response.status().is_success() {
        return Ok(None);
    }
    let handovers: CertificateHandovers = response.json().await?;
    Ok(chain_leads(&handovers.handovers, pinned, presented).then_some(presented))
}

/// Whether `handovers` lead, one checked step after another, from `pinned` to `presented`.
pub fn chain_leads(handovers: &[CertificateHandover], pinned: Fingerprint, presented: Fingerprint) -> bool {
    let mut current = pinned;
    for _ in 0..MAX_STEPS {
        if current == presented {
            return true;
        }
        let Some(next) = handovers
            .iter()
            .filter(|handover| handover.from == current.hex())
            .find_map(checked_step)
        else {
            return false;
        };
        current = next;
    }
    current == presented
}

/// Where a hand-over leads, if its certificate is its `from` and that certificate's key signed it.
fn checked_step(handover: &CertificateHandover) -> Option<Fingerprint> {
    let certificate = hex::decode(&handover.certificate).ok()?;
    if Fingerprint::of_certificate(&certificate).hex() != handover.from {
        return None;
    }
    let to = Fingerprint::parse(&handover.to).ok()?;
    let signature = hex::decode(&handover.signature).ok()?;
    let certificate = CertificateDer::from(certificate);
    let end_entity = webpki::EndEntityCert::try_from(&certificate).ok()?;
    let scheme = SignatureScheme::from(handover.scheme);
    let provider = rustls::crypto::ring::default_provider();
    let (_, algorithms) = provider
        .signature_verification_algorithms
        .mapping
        .iter()
        .find(|(known, _)| *known == scheme)?;
    let message = handover_message(&handover.from, &to.hex());
    algorithms
        .iter()
        .any(|algorithm| end_entity.verify_signature(*algorithm, &message, &signature).is_ok())
        .then_some(to)
}

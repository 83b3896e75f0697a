//! Security headers on every answer. The hall page may run only its own script and style and
//! talk only to this server; nothing the server sends may be framed, sniffed as another type or
//! leak its address as a referrer; API answers (tokens, names, ballots) are never stored by a
//! cache, while documents (`/api/blobs/…`, addressed by their SHA-256) may be kept by the one
//! who fetched them.

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The hall page: its script, its style, its WebSocket back to the host it was opened from
/// (named, as older browsers do not count `ws:` as `'self'`); nothing else.
pub fn hall_page_policy(host: Option<&str>) -> String {
    // Only a plain host[:port] is repeated; anything else falls back to 'self' alone.
    let websocket = host
        .filter(|host| {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .map(|host| format!(" ws://{host} wss://{host}"))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'{websocket}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}
/// Everything else the server answers is data, never a page to run.
pub const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

pub async fn security_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .map(str::to_owned);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    let policy = if path == "/hall" {
        HeaderValue::from_str(&hall_page_policy(host.as_deref())).unwrap_or(HeaderValue::from_static(DATA_POLICY))
    } else {
        HeaderValue::from_static(DATA_POLICY)
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    if !headers.contains_key(header::CACHE_CONTROL) {
        let cache = if path.starts_with("/api/blobs/") {
            "private, no-cache"
        } else if path.starts_with("/api/") || path == "/ws" {
            "no-store"
        } else {
            "no-cache"
        };
        set(headers, header::CACHE_CONTROL, cache);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::hall_page_policy;

    #[test]
    fn the_hall_page_talks_to_its_own_host_only() {
        let policy = hall_page_policy(Some("192.168.1.10:8080"));
        assert!(policy.contains("connect-src 'self' ws://192.168.1.10:8080 wss://192.168.1.10:8080;"));
        assert!(policy.contains("script-src 'self';") && policy.contains("frame-ancestors 'none'"));
        for hostile in ["evil.example; script-src *", "a b", ""] {
            assert!(
                hall_page_policy(Some(hostile)).contains("connect-src 'self';"),
                "{hostile}"
            );
        }
        assert!(hall_page_policy(None).contains("connect-src 'self';"));
    }
}

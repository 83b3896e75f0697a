//! The `phonghop://` scheme: `phonghop://localhost/<sha256>/<page index>/<width px>` answers
//! with that page of a cached document, as [`phonghop_pdf::PageServer`] renders, caches and
//! renders ahead; `…/<width px>/thumbnail` with a thumbnail (no pages rendered ahead for it).
//! Only the URL and the HTTP answer live here.

use std::sync::Arc;

use phonghop_pdf::PageImage;
use phonghop_protocol::Sha256;
use tauri::http::{header, Request, Response, StatusCode};
use tauri::{Manager, UriSchemeContext, UriSchemeResponder};

use crate::Shared;

/// A page request parsed from the URL path.
#[derive(Debug, PartialEq)]
struct PageRequest {
    sha256: Sha256,
    page_index: u32,
    width_px: u32,
    thumbnail: bool,
}

/// Parses `/<sha256>/<page>/<width>[/thumbnail]`; `convertFileSrc` may have percent-encoded
/// the slashes.
fn parse(path: &str) -> Option<PageRequest> {
    let decoded = path.replace("%2F", "/").replace("%2f", "/");
    let mut parts = decoded.trim_start_matches('/').split('/');
    let sha256 = Sha256::parse(parts.next()?).ok()?;
    let page_index = parts.next()?.parse().ok()?;
    let width_px = parts.next()?.parse().ok()?;
    let thumbnail = match parts.next() {
        None => false,
        Some("thumbnail") => true,
        Some(_) => return None,
    };
    parts.next().is_none().then_some(PageRequest {
        sha256,
        page_index,
        width_px,
        thumbnail,
    })
}

fn answer(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        // Same URL, same pixels: the document is content-addressed.
        .header(header::CACHE_CONTROL, "max-age=31536000, immutable")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .body(body)
        .expect("a response from static parts")
}

pub fn handle<R: tauri::Runtime>(
    context: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let shared = context.app_handle().state::<Arc<Shared>>().inner().clone();
    let path = request.uri().path().to_owned();
    tauri::async_runtime::spawn(async move {
        responder.respond(render(&shared, &path).await);
    });
}

async fn render(shared: &Shared, path: &str) -> Response<Vec<u8>> {
    let text = |status, message: &str| answer(status, "text/plain; charset=utf-8", message.as_bytes().to_vec());
    let Some(page) = parse(path) else {
        return text(StatusCode::BAD_REQUEST, "expected /<sha256>/<page>/<width>");
    };
    let Some(pages) = shared.pages.as_ref() else {
        return text(StatusCode::SERVICE_UNAVAILABLE, "PDFium is not available");
    };
    let file = match shared.seat.cached_file(&page.sha256).await {
        Ok(Some(file)) => file,
        Ok(None) => return text(StatusCode::NOT_FOUND, "the document is not in the local cache"),
        Err(error) => return text(StatusCode::INTERNAL_SERVER_ERROR, &error.to_string()),
    };
    let rendered = if page.thumbnail {
        pages.thumbnail(&file, page.page_index, page.width_px).await
    } else {
        pages.page(&file, page.page_index, page.width_px).await
    };
    match rendered {
        // The cache keeps its copy; the webview gets its own.
        Ok(image) => answer(StatusCode::OK, PageImage::CONTENT_TYPE, image.bytes.to_vec()),
        Err(phonghop_pdf::PdfError::NoSuchPage { .. }) => text(StatusCode::NOT_FOUND, "no such page"),
        Err(error) => text(StatusCode::INTERNAL_SERVER_ERROR, &error.to_string()),
    }
}

/// PDFium's answer to where words of a page's text stand, for carrying annotations over.
pub struct Geometry<'a>(pub &'a phonghop_pdf::PageServer);

impl phonghop_client::carry::PageGeometry for Geometry<'_> {
    fn text_boxes<'b>(
        &'b self,
        pdf: &'b std::path::Path,
        page: u32,
        range: std::ops::Range<usize>,
    ) -> futures_util::future::BoxFuture<'b, Result<Vec<phonghop_protocol::PageRect>, String>> {
        Box::pin(async move {
            let found = self
                .0
                .text_boxes(pdf, page, range)
                .await
                .map_err(|error| error.to_string())?;
            Ok(found.runs.into_iter().map(phonghop_protocol::PageRect::from).collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_parse_with_plain_or_encoded_slashes() {
        let sha = "ab".repeat(32);
        let want = Some(PageRequest {
            sha256: Sha256::parse(&sha).unwrap(),
            page_index: 2,
            width_px: 800,
            thumbnail: false,
        });
        assert_eq!(parse(&format!("/{sha}/2/800")), want);
        assert_eq!(parse(&format!("/{sha}%2F2%2F800")), want);
        let thumbnail = parse(&format!("/{sha}/2/120/thumbnail")).map(|request| (request.width_px, request.thumbnail));
        assert_eq!(thumbnail, Some((120, true)));
        assert_eq!(parse(&format!("/{sha}/2/120/other")), None);
        assert_eq!(parse("/../../etc/passwd/1/2"), None);
        assert_eq!(parse(&format!("/{sha}/x/800")), None);
    }
}

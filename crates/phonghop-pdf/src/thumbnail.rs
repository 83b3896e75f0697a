//! Drawing a page the way the viewer draws it, small, to learn at ingest whether it can be drawn
//! at all: PDFium loads some pages (invalid page boxes leave them no size) that every later render
//! refuses, and a councillor should be told so by a placeholder, not left before a blank area.
//!
//! [`draw`] and [`bitmap_size`] are the viewer's render settings and bitmap sizing: `render.rs`
//! draws every page the app shows with them, so the check at ingest is the viewer's own.

use pdfium_render::prelude::{PdfBitmap, PdfBitmapFormat, PdfColor, PdfPage, PdfRenderConfig, PdfiumError};

/// The width pages are drawn at to check them: a thumbnail's, so the check costs little.
pub(crate) const THUMBNAIL_WIDTH_PX: u32 = 120;

/// Tallest rendering. Without it a strip-shaped page at full width would ask for a bitmap of
/// gigabytes; such a page is rendered narrower instead.
pub(crate) const MAX_HEIGHT_PX: u32 = 4 * crate::pages::MAX_WIDTH_PX;
/// Largest bitmap in pixels (96 MiB): an A4 page at the widest width fits.
pub(crate) const MAX_PIXELS: u64 = 4096 * 6144;

/// Draws pages at [`THUMBNAIL_WIDTH_PX`] into one buffer reused from page to page; the pixels
/// are not kept, only whether the page could be drawn.
#[derive(Default)]
pub(crate) struct ThumbnailCheck {
    pixels: Vec<u8>,
}

impl ThumbnailCheck {
    /// Draws `page` as the viewer would at thumbnail width; `Err` says why it cannot be.
    pub(crate) fn draw(&mut self, page: &PdfPage<'_>) -> Result<(), String> {
        let (width, height) =
            bitmap_size(page.width().value, page.height().value, THUMBNAIL_WIDTH_PX).ok_or_else(|| {
                format!(
                    "the page has no usable size ({} x {} pt)",
                    page.width().value,
                    page.height().value
                )
            })?;
        self.pixels.resize(width as usize * height as usize * 4, 0);
        draw(page, &mut self.pixels, width, height).map_err(|error| format!("PDFium did not draw it: {error:?}"))
    }
}

/// Draws `page` into `pixels` (BGRA, rows packed). Cleared to opaque white first, and form fields
/// drawn over the page, so transparent pages and filled-in forms look as they do on paper. BGRA in
/// PDFium's own byte order (pdfium-render asks for the reverse by default): measured here, three-byte
/// BGR drew ~1.6x slower and reversing the byte order ~8 % slower, and the encoder reorders the
/// channels of a coloured page anyway while converting it.
pub(crate) fn draw(page: &PdfPage<'_>, pixels: &mut [u8], width: u32, height: u32) -> Result<(), PdfiumError> {
    // Both fit in i32: bitmap_size keeps them within MAX_HEIGHT_PX and MAX_WIDTH_PX.
    let (width, height) = (width as i32, height as i32);
    let config = PdfRenderConfig::new()
        .set_format(PdfBitmapFormat::BGRA)
        .set_reverse_byte_order(false)
        .set_target_size(width, height)
        .clear_before_rendering(true)
        .set_clear_color(PdfColor::WHITE)
        .render_form_data(true)
        .render_annotations(true);
    let mut bitmap = PdfBitmap::from_bytes(width, height, PdfBitmapFormat::BGRA, pixels)?;
    page.render_into_bitmap_with_config(&mut bitmap, &config)
}

/// The bitmap for a page of `page_width` x `page_height` points asked at `width` pixels: that wide
/// unless the page would then pass [`MAX_HEIGHT_PX`] or [`MAX_PIXELS`], in which case it is drawn
/// narrower. `None` for a page without a usable size.
pub(crate) fn bitmap_size(page_width: f32, page_height: f32, width: u32) -> Option<(u32, u32)> {
    if !(page_width.is_finite() && page_height.is_finite() && page_width > 0.0 && page_height > 0.0) {
        return None;
    }
    let aspect = f64::from(page_height) / f64::from(page_width);
    let mut width = f64::from(width);
    let height_cap = f64::from(MAX_HEIGHT_PX).min((MAX_PIXELS as f64 * aspect).sqrt());
    if width * aspect > height_cap {
        width = height_cap / aspect;
    }
    let height = (width * aspect).round().max(1.0);
    Some((width.round().max(1.0) as u32, height as u32))
}

#[cfg(test)]
mod tests {
    use super::{bitmap_size, MAX_HEIGHT_PX, MAX_PIXELS};

    #[test]
    fn an_a4_page_keeps_its_shape_at_the_asked_width() {
        assert_eq!(bitmap_size(595.2756, 841.8898, 1240), Some((1240, 1754)));
        assert_eq!(bitmap_size(595.2756, 841.8898, 4096), Some((4096, 5793)));
        assert_eq!(bitmap_size(841.8898, 595.2756, 800), Some((800, 566)));
    }

    #[test]
    fn a_strip_shaped_page_is_drawn_narrower_rather_than_huge() {
        let (width, height) = bitmap_size(100.0, 100_000.0, 4096).unwrap();
        assert_eq!(height, MAX_HEIGHT_PX);
        assert!(width < 20, "width {width}");
        let (width, height) = bitmap_size(1000.0, 3000.0, 4096).unwrap();
        assert!(u64::from(width) * u64::from(height) <= MAX_PIXELS + u64::from(width));
        assert!(height <= MAX_HEIGHT_PX);
    }

    #[test]
    fn a_page_without_a_size_has_no_bitmap() {
        assert_eq!(bitmap_size(0.0, 841.0, 800), None);
        assert_eq!(bitmap_size(f32::NAN, 841.0, 800), None);
        assert_eq!(bitmap_size(595.0, -1.0, 800), None);
    }

    #[test]
    fn thumbnails_of_odd_pages_stay_small_or_are_refused() {
        assert_eq!(bitmap_size(595.2756, 841.8898, 120), Some((120, 170)));
        // A page of a ten-thousandth of a point still gets a thumbnail, as the viewer draws it.
        assert_eq!(bitmap_size(0.0001, 0.0001, 120), Some((120, 120)));
        let (width, height) = bitmap_size(1.0, 1e9, 120).expect("a strip has a size");
        assert!(width == 1 && height <= super::MAX_HEIGHT_PX, "{width} x {height}");
        // PDFium gives a page whose crop box lies outside its media box a size of 0 x 0.
        assert_eq!(bitmap_size(0.0, 0.0, 120), None);
        assert_eq!(bitmap_size(f32::INFINITY, 842.0, 120), None);
    }
}

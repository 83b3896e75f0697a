//! The page as drawn — after its /Rotate and crop box — mapped onto a large virtual device, so
//! that whole pixels are fine fractions: the frame annotations and the text layer use, places as
//! fractions (0–1) of the page's width and height from its top-left corner. PDFium's own
//! page-to-device transform does the mapping, both ways.

use pdfium_render::prelude::{PdfPage, PdfPoints, PdfRenderConfig};

/// Device width the page is mapped onto.
const VIRTUAL_WIDTH: i32 = 10_000;

pub(crate) struct PageFrame {
    config: PdfRenderConfig,
    width_px: f32,
    height_px: f32,
}

impl PageFrame {
    /// The frame of `page`; `None` for a page without a usable size.
    pub(crate) fn of(page: &PdfPage<'_>) -> Option<PageFrame> {
        let (width, height) = (page.width().value, page.height().value);
        if !(width > 0.0 && height > 0.0) {
            return None;
        }
        let height_px = ((VIRTUAL_WIDTH as f32) * height / width).round().max(1.0) as i32;
        Some(PageFrame {
            config: PdfRenderConfig::new().set_target_size(VIRTUAL_WIDTH, height_px),
            width_px: VIRTUAL_WIDTH as f32,
            height_px: height_px as f32,
        })
    }

    /// The page's own points → fractions of the page as drawn.
    pub(crate) fn fraction(&self, page: &PdfPage<'_>, x: PdfPoints, y: PdfPoints) -> Option<(f32, f32)> {
        let (px, py) = page.points_to_pixels(x, y, &self.config).ok()?;
        Some((px as f32 / self.width_px, py as f32 / self.height_px))
    }

    /// Fractions of the page as drawn → the page's own points.
    pub(crate) fn point(&self, page: &PdfPage<'_>, x: f32, y: f32) -> Result<(f32, f32), String> {
        let (px, py) = ((x * self.width_px).round() as i32, (y * self.height_px).round() as i32);
        let (x, y) = page
            .pixels_to_points(px, py, &self.config)
            .map_err(|error| format!("cannot map a place onto the page: {error:?}"))?;
        Ok((x.value, y.value))
    }
}

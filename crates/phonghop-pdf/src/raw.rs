//! The few PDFium calls pdfium-render 0.9.5 does not wrap, made through its raw bindings: an ink
//! annotation's strokes (its high-level ink annotation writes no /InkList, which other readers
//! need) and width, a free text annotation's default appearance (/DA, how readers draw its text
//! when they redraw it), and an annotation's own appearance stream (/AP). The only unsafe code of
//! the crate lives here.
#![allow(unsafe_code)]

use pdfium_render::prelude::{
    PdfPage, PdfiumLibraryBindings, PdfiumLibraryBindingsAccessor, FPDF_ANNOTATION, FPDF_ANNOT_APPEARANCEMODE,
    FS_POINTF,
};

/// The appearance a reader draws when the annotation is not hovered or pressed (/AP /N).
const NORMAL_APPEARANCE: FPDF_ANNOT_APPEARANCEMODE = 0;

/// Runs `change` on the page's last annotation (the one just created), through a handle of its
/// own that is closed afterwards. Fails when the page has none or PDFium says the change failed.
fn change_last_annotation(
    page: &PdfPage<'_>,
    change: impl FnOnce(&dyn PdfiumLibraryBindings, FPDF_ANNOTATION) -> bool,
) -> Result<(), String> {
    let bindings = page.bindings();
    let page_handle = bindings.get_handle_from_page(page);
    // SAFETY: `page_handle` is the open page `page` borrows, valid for this whole call; the
    // annotation handle PDFium returns is checked for null, used only inside this call and closed
    // once. Every call goes through pdfium-render's thread-safe bindings (one global lock).
    unsafe {
        let count = bindings.FPDFPage_GetAnnotCount(page_handle);
        if count < 1 {
            return Err("the page has no annotation to change".into());
        }
        let annotation = bindings.FPDFPage_GetAnnot(page_handle, count - 1);
        if annotation.is_null() {
            return Err("PDFium did not give the annotation just created".into());
        }
        let changed = change(bindings, annotation);
        bindings.FPDFPage_CloseAnnot(annotation);
        if changed {
            Ok(())
        } else {
            Err("PDFium refused the change".into())
        }
    }
}

/// Adds `strokes` (points in page space) to the /InkList of the page's last annotation, an ink
/// annotation, and sets its line width in points.
pub(crate) fn add_ink_strokes(page: &PdfPage<'_>, strokes: &[Vec<(f32, f32)>], width: f32) -> Result<(), String> {
    change_last_annotation(page, |bindings, annotation| {
        let points: Vec<Vec<FS_POINTF>> = strokes
            .iter()
            .map(|stroke| stroke.iter().map(|&(x, y)| FS_POINTF { x, y }).collect())
            .collect();
        points.iter().filter(|stroke| !stroke.is_empty()).all(|stroke| {
            // SAFETY: `stroke` is a live slice of `stroke.len()` points, which PDFium copies.
            unsafe { bindings.FPDFAnnot_AddInkStroke(annotation, stroke.as_ptr(), stroke.len()) >= 0 }
        }) && {
            // SAFETY: as above; the width is a plain number.
            unsafe { bindings.is_true(bindings.FPDFAnnot_SetBorder(annotation, 0.0, 0.0, width)) }
        }
    })
}

/// Sets the /DA (default appearance: font and colour of the text) of the page's last annotation.
pub(crate) fn set_default_appearance(page: &PdfPage<'_>, appearance: &str) -> Result<(), String> {
    change_last_annotation(page, |bindings, annotation| {
        // SAFETY: both strings are copied by the bindings before PDFium reads them.
        unsafe { bindings.is_true(bindings.FPDFAnnot_SetStringValue_str(annotation, "DA", appearance)) }
    })
}

/// Sets the normal appearance stream (/AP /N) of the page's last annotation to `content`, a
/// content stream in the page's points that needs no resources; PDFium gives it the
/// annotation's /Rect as its box, so the bounds must be set first.
pub(crate) fn set_appearance(page: &PdfPage<'_>, content: &str) -> Result<(), String> {
    change_last_annotation(page, |bindings, annotation| {
        // SAFETY: the content is copied by the bindings before PDFium reads it.
        unsafe { bindings.is_true(bindings.FPDFAnnot_SetAP_str(annotation, NORMAL_APPEARANCE, content)) }
    })
}

//! Finding libpdfium on disk and binding it once per process: PDFium can be initialised only once, so
//! the indexer and the renderer share the one binding kept here.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pdfium_render::prelude::Pdfium;

use crate::error::PdfError;

/// Environment variable naming the library file, or a folder holding it, ahead of every other place.
pub const LIBRARY_ENV: &str = "PHONGHOP_PDFIUM";

/// Where the xtask puts the library when building from source; last resort for tests and `cargo run`.
const BUILD_TIME_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/pdfium");

/// Finds libpdfium: `PHONGHOP_PDFIUM` (a file, or a folder holding `libpdfium.so` / `pdfium.dll` /
/// `libpdfium.dylib`), then next to the current executable, then `<exe dir>/../lib/<program>/` (as
/// the Linux packages install it) and `<exe dir>/../Resources` (a macOS app), then
/// `<exe dir>/../pdfium` and
/// `<exe dir>/../../pdfium` (so both `target/debug/x` and `target/debug/deps/x` find `target/pdfium`),
/// then the source tree's `target/pdfium`.
pub fn locate_library() -> Result<PathBuf, PdfError> {
    let candidates = candidate_paths();
    match candidates.iter().find(|path| path.is_file()) {
        Some(found) => Ok(found.clone()),
        None => {
            let looked_at: Vec<String> = candidates.iter().map(|path| path.display().to_string()).collect();
            Err(PdfError::Library(format!(
                "libpdfium not found (set {LIBRARY_ENV} to the library or its folder); looked at: {}",
                looked_at.join(", ")
            )))
        }
    }
}

fn candidate_paths() -> Vec<PathBuf> {
    let file_name = Pdfium::pdfium_platform_library_name();
    let mut candidates = Vec::new();
    if let Some(setting) = std::env::var_os(LIBRARY_ENV).filter(|value| !value.is_empty()) {
        let setting = PathBuf::from(setting);
        if setting.is_dir() {
            candidates.push(setting.join(&file_name));
        } else {
            candidates.push(setting);
        }
    }
    let exe = std::env::current_exe().ok();
    if let Some(exe_dir) = exe.as_deref().and_then(Path::parent) {
        candidates.push(exe_dir.join(&file_name));
        // Installed from a package: /usr/bin/phonghop-app finds /usr/lib/phonghop-app/; a macOS
        // app bundle keeps it in Contents/Resources beside Contents/MacOS.
        if let Some(program) = exe.as_deref().and_then(Path::file_stem) {
            candidates.push(exe_dir.join("../lib").join(program).join(&file_name));
        }
        candidates.push(exe_dir.join("../Resources").join(&file_name));
        candidates.push(exe_dir.join("../pdfium").join(&file_name));
        candidates.push(exe_dir.join("../../pdfium").join(&file_name));
    }
    candidates.push(Path::new(BUILD_TIME_DIR).join(&file_name));
    candidates
}

/// The process's one PDFium. A failed bind is remembered too: the library does not appear while the
/// process runs, and retrying would only repeat the same error more slowly.
static PDFIUM: OnceLock<Result<Pdfium, String>> = OnceLock::new();

/// Binds PDFium on first use and returns it; every later call, from any thread, gets the same one.
pub(crate) fn bound_pdfium() -> Result<&'static Pdfium, PdfError> {
    PDFIUM
        .get_or_init(bind)
        .as_ref()
        .map_err(|message| PdfError::Library(message.clone()))
}

fn bind() -> Result<Pdfium, String> {
    let path = locate_library().map_err(|error| match error {
        PdfError::Library(message) => message,
        other => other.to_string(),
    })?;
    let bindings =
        Pdfium::bind_to_library(&path).map_err(|error| format!("cannot bind {}: {error:?}", path.display()))?;
    Ok(Pdfium::new(bindings))
}

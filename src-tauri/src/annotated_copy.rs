//! "My annotated copy" of a document, for the `export_annotated` command: which revision and
//! which annotations go in (the reader's own on that revision), where it goes (the Downloads
//! folder, else the app's data folder, under the document's title made safe as a file name on
//! Windows, macOS and Linux), written off the async runtime by `phonghop_pdf::export_annotated`.

use std::path::PathBuf;

use phonghop_client::annotations::AnnotationShown;
use phonghop_client::seat::MirrorView;
use phonghop_client::UserFacingError;
use phonghop_protocol::{Annotation, DocumentId, Revision};
use tauri::Manager;

/// The document's title and its revision `revision` (the current one when `None`), if the
/// meeting has them.
pub fn revision_of(view: &MirrorView, document_id: DocumentId, revision: Option<u32>) -> Option<(String, Revision)> {
    let document = view.state.as_ref()?.document(document_id)?;
    let revision = document.revision(revision.unwrap_or(document.current.revision))?;
    Some((document.title.clone(), revision.clone()))
}

/// The reader's own annotations on `revision`: never those others share, nor those of another
/// revision, whose places are on other pages.
pub fn mine_on(shown: Vec<AnnotationShown>, revision: &Revision) -> Vec<Annotation> {
    shown
        .into_iter()
        .filter(|shown| shown.mine && shown.annotation.revision == revision.revision)
        .map(|shown| shown.annotation)
        .collect()
}

/// The line at the foot of every page of a copy: whose copy it is and when it was made (in
/// Vietnam's time), so a page found later says where it came from.
pub fn watermark(full_name: &str, username: &str, unix_seconds: i64) -> String {
    format!(
        "Bản của {full_name} ({username}) · tạo lúc {} · Phòng họp không giấy",
        phonghop_record::words::time(unix_seconds)
    )
}

/// Seconds since the Unix epoch, by this laptop's clock.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() as i64)
}

/// Writes `pdf` with `annotations` by `author` and `watermark` on every page to `out` on a
/// blocking thread (PDFium's calls wait for its one lock beside the page renderer); the path
/// written.
pub async fn write(
    pdf: PathBuf,
    annotations: Vec<Annotation>,
    author: String,
    watermark: String,
    flatten: bool,
    out: PathBuf,
) -> Result<String, UserFacingError> {
    let written = out.display().to_string();
    tauri::async_runtime::spawn_blocking(move || {
        let options = phonghop_pdf::ExportOptions {
            author: &author,
            flatten,
            watermark: Some(&watermark),
        };
        phonghop_pdf::export_annotated(&pdf, &annotations, &options, &out)
    })
    .await
    .map_err(failed)?
    .map_err(failed)?;
    Ok(written)
}

/// Longest title kept in the file's name, in characters: the whole path stays well under
/// Windows' 260.
const MAX_TITLE_CHARS: usize = 120;

/// `<title> (ghi chú).pdf`, the title without characters a file name cannot hold on Windows
/// (`< > : " / \ | ? *` and controls; `/` and `\` as `-`, as in "12/2026/NQ-HĐND"), without
/// trailing dots or spaces, and "tai-lieu" when nothing is left.
pub fn file_name(title: &str) -> String {
    let safe: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' => '-',
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .take(MAX_TITLE_CHARS)
        .collect();
    let words: Vec<&str> = safe.split_whitespace().collect();
    let stem = words.join(" ");
    let stem = stem.trim_end_matches(['.', ' ']);
    let stem = if stem.is_empty() { "tai-lieu" } else { stem };
    format!("{stem} (ghi chú).pdf")
}

/// The folder the copy is written to.
pub fn folder(app: &tauri::AppHandle) -> tauri::Result<PathBuf> {
    app.path().download_dir().or_else(|_| app.path().app_data_dir())
}

/// The copy could not be made or written; `detail` says why.
pub fn failed(detail: impl std::fmt::Display) -> UserFacingError {
    UserFacingError {
        code: "export_failed".into(),
        message_vi: "Không tạo được bản tài liệu có ghi chú".into(),
        message_en: "The copy of the document with your annotations could not be made".into(),
        detail: detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watermark_names_the_councillor_and_the_time_in_vietnam() {
        // 2026-12-01 01:15:02 UTC is 08:15:02 in Vietnam.
        assert_eq!(
            watermark("Nguyễn Văn An", "db001", 1_796_087_702),
            "Bản của Nguyễn Văn An (db001) · tạo lúc 08:15:02 ngày 01/12/2026 · Phòng họp không giấy"
        );
    }

    #[test]
    fn the_copy_is_named_after_the_title_safely() {
        let table = [
            ("Dự thảo Nghị quyết", "Dự thảo Nghị quyết (ghi chú).pdf"),
            ("Nghị quyết 12/2026/NQ-HĐND", "Nghị quyết 12-2026-NQ-HĐND (ghi chú).pdf"),
            ("Báo cáo: kinh tế? \"xã hội\"", "Báo cáo kinh tế xã hội (ghi chú).pdf"),
            ("Tờ trình...", "Tờ trình (ghi chú).pdf"),
            ("a\tb\nc", "a b c (ghi chú).pdf"),
            ("..\\..\\x", "..-..-x (ghi chú).pdf"),
            ("", "tai-lieu (ghi chú).pdf"),
            ("???", "tai-lieu (ghi chú).pdf"),
        ];
        for (title, expected) in table {
            assert_eq!(file_name(title), expected, "{title:?}");
        }
        assert_eq!(
            file_name(&"ă".repeat(500)).chars().count(),
            MAX_TITLE_CHARS + " (ghi chú).pdf".chars().count()
        );
    }
}

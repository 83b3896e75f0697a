//! Office files to PDF: what an upload's bytes are ([`sniff`]), and LibreOffice headless in a
//! child process ([`OfficeConverter`]) with a time limit, a private profile, one conversion at a
//! time. The file name never decides: a program renamed `.docx` is refused as what it is.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;
use tokio::sync::Mutex;

/// An Office format LibreOffice converts, recognised by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeFormat {
    /// The extension the converter is given (LibreOffice picks its filter by content anyway).
    pub extension: &'static str,
    pub media_type: &'static str,
}

const fn office(extension: &'static str, media_type: &'static str) -> OfficeFormat {
    OfficeFormat { extension, media_type }
}

const DOCX: OfficeFormat = office(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
);
const XLSX: OfficeFormat = office(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
);
const PPTX: OfficeFormat = office(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
);
const ODT: OfficeFormat = office("odt", "application/vnd.oasis.opendocument.text");
const ODS: OfficeFormat = office("ods", "application/vnd.oasis.opendocument.spreadsheet");
const ODP: OfficeFormat = office("odp", "application/vnd.oasis.opendocument.presentation");
const DOC: OfficeFormat = office("doc", "application/msword");
const XLS: OfficeFormat = office("xls", "application/vnd.ms-excel");
const PPT: OfficeFormat = office("ppt", "application/vnd.ms-powerpoint");

/// What an upload's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Pdf,
    Office(OfficeFormat),
    /// An Office file protected by a password (OOXML encryption: an OLE2 container holding an
    /// `EncryptedPackage` stream).
    EncryptedOffice,
    /// A ZIP or OLE2 container that is no Office document LibreOffice converts.
    OtherContainer,
    /// A Windows or Linux program.
    Program,
    /// Anything else; the PDF reader decides (a PDF may start after some junk bytes).
    Unknown,
}

const OLE2_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Looks at the bytes, never the name.
pub fn sniff(bytes: &[u8]) -> Content {
    if bytes.starts_with(b"%PDF-") {
        return Content::Pdf;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return sniff_zip(bytes);
    }
    if bytes.starts_with(&OLE2_MAGIC) {
        return sniff_ole2(bytes);
    }
    if bytes.starts_with(b"MZ") || bytes.starts_with(b"\x7fELF") {
        return Content::Program;
    }
    Content::Unknown
}

/// OOXML names its parts in the ZIP's local headers (`[Content_Types].xml`, `word/…`); ODF
/// stores its `mimetype` first and uncompressed.
fn sniff_zip(bytes: &[u8]) -> Content {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if let Some(kind) = odf_mimetype(head) {
        // The next entry's header follows the mimetype's bytes at once, so the kind is a prefix.
        return if kind.starts_with(b"text") {
            Content::Office(ODT)
        } else if kind.starts_with(b"spreadsheet") {
            Content::Office(ODS)
        } else if kind.starts_with(b"presentation") {
            Content::Office(ODP)
        } else {
            Content::OtherContainer
        };
    }
    if contains(bytes, b"[Content_Types].xml") {
        if contains(bytes, b"word/") {
            return Content::Office(DOCX);
        }
        if contains(bytes, b"xl/") {
            return Content::Office(XLSX);
        }
        if contains(bytes, b"ppt/") {
            return Content::Office(PPTX);
        }
    }
    Content::OtherContainer
}

/// What follows `application/vnd.oasis.opendocument.` in an ODF file's first entry.
fn odf_mimetype(head: &[u8]) -> Option<&[u8]> {
    const PREFIX: &[u8] = b"mimetypeapplication/vnd.oasis.opendocument.";
    let at = find(head, PREFIX)?;
    Some(&head[at + PREFIX.len()..])
}

/// The stream names of an OLE2 directory are UTF-16LE.
fn sniff_ole2(bytes: &[u8]) -> Content {
    let utf16 = |name: &str| name.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
    if contains(bytes, &utf16("EncryptedPackage")) {
        return Content::EncryptedOffice;
    }
    if contains(bytes, &utf16("WordDocument")) {
        return Content::Office(DOC);
    }
    if contains(bytes, &utf16("Workbook")) || contains(bytes, &utf16("Book")) {
        return Content::Office(XLS);
    }
    if contains(bytes, &utf16("PowerPoint Document")) {
        return Content::Office(PPT);
    }
    Content::OtherContainer
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

/// Why a conversion gave no PDF.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("LibreOffice (soffice) was not found on the server")]
    Unavailable,
    #[error("LibreOffice could not convert the file: {0}")]
    Failed(String),
    #[error("converting took longer than {} s", .0.as_secs())]
    TimedOut(Duration),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Runs LibreOffice headless, one conversion at a time (it shares one profile and would
/// otherwise hand the second conversion to the first process), in a child process group killed
/// at the time limit.
pub struct OfficeConverter {
    soffice: Option<PathBuf>,
    /// LibreOffice's user profile, private to the server, kept between conversions (its first
    /// creation costs seconds) and discarded after a failed one.
    profile: PathBuf,
    limit: Duration,
    one_at_a_time: Mutex<()>,
}

impl OfficeConverter {
    /// `soffice`: the program, or `None` to look for `soffice` / `libreoffice` on PATH.
    pub fn new(soffice: Option<PathBuf>, profile: PathBuf, limit: Duration) -> OfficeConverter {
        let soffice = soffice.or_else(|| ["soffice", "libreoffice"].into_iter().find_map(on_path));
        OfficeConverter {
            soffice,
            profile,
            limit,
            one_at_a_time: Mutex::new(()),
        }
    }

    pub fn is_available(&self) -> bool {
        self.soffice.is_some()
    }

    /// The PDF LibreOffice makes of `bytes`.
    pub async fn convert(&self, bytes: &[u8], format: OfficeFormat) -> Result<Vec<u8>, ConvertError> {
        let soffice = self.soffice.as_ref().ok_or(ConvertError::Unavailable)?;
        let _turn = self.one_at_a_time.lock().await;
        let work = tempfile::tempdir()?;
        let input = work.path().join(format!("document.{}", format.extension));
        std::fs::write(&input, bytes)?;
        let result = self.run(soffice, &input, work.path()).await;
        let pdf = match result {
            // LibreOffice exits with 0 when it cannot load a file; only its output tells.
            Ok(said) => match std::fs::read(work.path().join("document.pdf")) {
                Ok(pdf) if pdf.starts_with(b"%PDF-") => Ok(pdf),
                _ => Err(ConvertError::Failed(if said.is_empty() {
                    "it wrote no PDF".into()
                } else {
                    said
                })),
            },
            Err(error) => Err(error),
        };
        if pdf.is_err() {
            // A conversion that failed or was killed may leave the profile locked or half
            // written; the next one starts from a fresh profile.
            let _ = std::fs::remove_dir_all(&self.profile);
        }
        pdf
    }

    /// Runs one conversion; what LibreOffice printed.
    async fn run(&self, soffice: &Path, input: &Path, out_dir: &Path) -> Result<String, ConvertError> {
        std::fs::create_dir_all(&self.profile)?;
        let profile_url = format!("file://{}", self.profile.canonicalize()?.display());
        let mut command = Command::new(soffice);
        command
            .arg(format!("-env:UserInstallation={profile_url}"))
            .args([
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                "--nolockcheck",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(out_dir)
            .arg(input)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so the time limit kills oosplash and soffice.bin alike.
            .process_group(0)
            .kill_on_drop(true);
        let child = command.spawn().map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => ConvertError::Unavailable,
            _ => ConvertError::Io(error),
        })?;
        let group = child.id();
        match tokio::time::timeout(self.limit, child.wait_with_output()).await {
            Ok(output) => {
                let output = output?;
                let said = format!(
                    "{} {}",
                    String::from_utf8_lossy(&output.stdout).trim(),
                    String::from_utf8_lossy(&output.stderr).trim()
                );
                let said = said.trim().to_owned();
                if output.status.success() {
                    Ok(said)
                } else {
                    Err(ConvertError::Failed(format!("{} ({said})", output.status)))
                }
            }
            Err(_) => {
                if let Some(group) = group {
                    kill_group(group).await;
                }
                Err(ConvertError::TimedOut(self.limit))
            }
        }
    }
}

/// Kills LibreOffice's whole process group (oosplash starts soffice.bin beside itself).
async fn kill_group(group: u32) {
    let killed = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{group}")])
        .status()
        .await;
    if !killed.is_ok_and(|status| status.success()) {
        tracing::warn!(group, "could not kill a LibreOffice conversion that ran out of time");
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository_file(path: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path);
        std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
    }

    #[test]
    fn the_content_decides_never_the_name() {
        let cases = [
            ("tests/data/giay-moi-hop.docx", Content::Office(DOCX)),
            ("tests/data/giay-moi-hop.odt", Content::Office(ODT)),
            ("tests/data/giay-moi-hop-mat-khau.docx", Content::EncryptedOffice),
            // Cut short, but its first parts still say Word: LibreOffice is the one to refuse it.
            ("tests/data/giay-moi-hop-hong.docx", Content::Office(DOCX)),
            ("tests/data/chuong-trinh.docx", Content::Program),
            ("assets/demo/du-thao-nghi-quyet-v1.pdf", Content::Pdf),
            ("assets/demo/dai-bieu.csv", Content::Unknown),
        ];
        for (file, expected) in cases {
            assert_eq!(sniff(&repository_file(file)), expected, "{file}");
        }
    }

    #[test]
    fn opendocument_and_other_archives_are_told_apart() {
        let ods = b"PK\x03\x04\x14\x00\x00\x08mimetypeapplication/vnd.oasis.opendocument.spreadsheetPK\x03\x04";
        assert_eq!(sniff(ods), Content::Office(ODS));
        let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00photos/hoi-truong.jpg";
        assert_eq!(sniff(zip), Content::OtherContainer);
        let mut ole2 = OLE2_MAGIC.to_vec();
        ole2.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&ole2), Content::Office(DOC));
    }
}

//! The repository's demo PDFs the page-server and export tests read.

/// The demo's first draft resolution, one page of Vietnamese text.
pub const DRAFT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/demo/du-thao-nghi-quyet-v1.pdf"
);
/// The demo's 460-page report.
pub const REPORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/demo/bao-cao-kinh-te-xa-hoi.pdf"
);

//! The indexing child: `phonghop-index-pdf <file>` indexes one PDF and prints one JSON line. A shim
//! over `phonghop_pdf::run_index_child`, run by the server so a PDF that crashes or exhausts PDFium
//! takes down only this process.

use std::path::Path;
use std::process::ExitCode;

/// Conventional exit code for a command-line usage error (sysexits' EX_USAGE).
const USAGE_EXIT_CODE: u8 = 64;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    match (args.next(), args.next()) {
        (Some(pdf), None) => phonghop_pdf::run_index_child(Path::new(&pdf)),
        _ => {
            eprintln!("usage: phonghop-index-pdf <file>");
            ExitCode::from(USAGE_EXIT_CODE)
        }
    }
}

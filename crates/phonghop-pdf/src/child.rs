//! Indexing in a child process. The server never lets PDFium touch an upload in its own process: the
//! child gets a memory limit it applies to itself and a time limit enforced by the parent, and reports
//! its outcome as one JSON line on stdout.

use std::io::Write;
use std::path::Path;
use std::process::{ExitCode, ExitStatus, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

use crate::error::IngestError;
use crate::index::{index_file, starts_like_pdf, IndexedPdf, HEADER_WINDOW};

/// Environment variable through which the parent tells the child its memory limit in bytes. An
/// environment variable, because the limit must be applied inside the child and setting it between
/// fork and exec would need unsafe code.
pub const MEMORY_LIMIT_ENV: &str = "PHONGHOP_CHILD_MEMORY_BYTES";

const DEFAULT_MEMORY_BYTES: u64 = 1 << 30;

/// The largest report read from the child; the text of even a very long document is far below this,
/// and a child printing more is treated as broken rather than buffered without bound.
const MAX_REPORT_BYTES: usize = 256 << 20;

/// Enough of the child's stderr to explain a crash (the last lines are kept).
const MAX_STDERR_BYTES: usize = 16 << 10;

/// Exit code of a child that reported a refusal; success means it reported an indexed document.
const REFUSED_EXIT_CODE: u8 = 2;

/// Limits for one indexing child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildLimits {
    /// Wall-clock time before the child is killed.
    pub timeout: Duration,
    /// Address-space limit the child applies to itself (RLIMIT_AS).
    pub memory_bytes: u64,
}

impl Default for ChildLimits {
    fn default() -> Self {
        ChildLimits {
            timeout: Duration::from_secs(30),
            memory_bytes: DEFAULT_MEMORY_BYTES,
        }
    }
}

/// The one line the child prints. It mirrors [`IngestError`] variant for variant so the parent can
/// rebuild the exact reason.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
enum ChildReport {
    Indexed(IndexedPdf),
    NotAPdf,
    Encrypted,
    Unreadable { detail: String },
    TimedOut { millis: u64 },
    TooComplex { detail: String },
    Crashed { detail: String },
    Library { detail: String },
    Io { detail: String },
}

impl From<Result<IndexedPdf, IngestError>> for ChildReport {
    fn from(outcome: Result<IndexedPdf, IngestError>) -> Self {
        match outcome {
            Ok(pdf) => ChildReport::Indexed(pdf),
            Err(IngestError::NotAPdf) => ChildReport::NotAPdf,
            Err(IngestError::Encrypted) => ChildReport::Encrypted,
            Err(IngestError::Unreadable(detail)) => ChildReport::Unreadable { detail },
            Err(IngestError::TimedOut(limit)) => ChildReport::TimedOut {
                millis: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
            },
            Err(IngestError::TooComplex(detail)) => ChildReport::TooComplex { detail },
            Err(IngestError::Crashed(detail)) => ChildReport::Crashed { detail },
            Err(IngestError::Library(detail)) => ChildReport::Library { detail },
            Err(IngestError::Io(error)) => ChildReport::Io {
                detail: error.to_string(),
            },
        }
    }
}

impl From<ChildReport> for Result<IndexedPdf, IngestError> {
    fn from(report: ChildReport) -> Self {
        match report {
            ChildReport::Indexed(pdf) => Ok(pdf),
            ChildReport::NotAPdf => Err(IngestError::NotAPdf),
            ChildReport::Encrypted => Err(IngestError::Encrypted),
            ChildReport::Unreadable { detail } => Err(IngestError::Unreadable(detail)),
            ChildReport::TimedOut { millis } => Err(IngestError::timed_out_millis(millis)),
            ChildReport::TooComplex { detail } => Err(IngestError::TooComplex(detail)),
            ChildReport::Crashed { detail } => Err(IngestError::Crashed(detail)),
            ChildReport::Library { detail } => Err(IngestError::Library(detail)),
            ChildReport::Io { detail } => Err(IngestError::Io(std::io::Error::other(detail))),
        }
    }
}

/// Indexes `pdf` in a child process: runs `program` with `args` followed by the file path, reads one
/// JSON line from its stdout, and kills it once `limits.timeout` has passed.
pub async fn index_in_child(
    program: &Path,
    args: &[&str],
    pdf: &Path,
    limits: &ChildLimits,
) -> Result<IndexedPdf, IngestError> {
    // The commonest wrong upload (a .docx, a spreadsheet) is refused here without starting a process.
    if !starts_like_pdf(&read_head(pdf).await?) {
        return Err(IngestError::NotAPdf);
    }

    let mut child = Command::new(program)
        .args(args)
        .arg(pdf)
        .env(MEMORY_LIMIT_ENV, limits.memory_bytes.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // If the caller's task is cancelled, the child must not outlive it.
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| IngestError::Crashed("no stdout pipe".to_owned()))?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| IngestError::Crashed("no stderr pipe".to_owned()))?;

    // Both pipes are drained together: a child that fills one while the parent waits on the other
    // would otherwise block forever.
    let run = async {
        let (report, diagnostics) = tokio::join!(
            read_capped(stdout, MAX_REPORT_BYTES),
            read_capped(stderr, MAX_STDERR_BYTES)
        );
        let status = child.wait().await;
        (report, diagnostics, status)
    };
    let finished = tokio::time::timeout(limits.timeout, run).await;
    let (report, diagnostics, status) = match finished {
        Ok(done) => done,
        Err(_elapsed) => {
            // `kill` also reaps the child, so no zombie is left behind.
            let _ = child.kill().await;
            return Err(IngestError::TimedOut(limits.timeout));
        }
    };
    let status = status?;
    let diagnostics = diagnostics.map(|capped| capped.bytes).unwrap_or_default();
    let report = report?;
    if report.truncated {
        return Err(IngestError::Crashed(format!(
            "the report was larger than {MAX_REPORT_BYTES} bytes ({})",
            describe_status(status)
        )));
    }
    match parse_report(&report.bytes) {
        Some(report) => report.into(),
        None => Err(refusal_for_death(status, &diagnostics, limits.memory_bytes)),
    }
}

/// The child's side: limits its own memory, indexes `pdf`, prints one JSON line, and returns the exit
/// code (success when indexed, 2 when refused, 1 when the report could not be written).
pub fn run_index_child(pdf: &Path) -> ExitCode {
    let outcome = limit_own_memory()
        .map_err(IngestError::Io)
        .and_then(|()| index_file(pdf));
    let report = ChildReport::from(outcome);
    let code = match report {
        ChildReport::Indexed(_) => ExitCode::SUCCESS,
        _ => ExitCode::from(REFUSED_EXIT_CODE),
    };
    let mut stdout = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut stdout, &report)
        .map_err(std::io::Error::from)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => code,
        Err(error) => {
            eprintln!("phonghop-index-pdf: cannot write the report: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Applies the memory limit from [`MEMORY_LIMIT_ENV`] (1 GiB when unset) as RLIMIT_AS, lowering the
/// hard limit too so nothing later in the process can lift it.
#[cfg(unix)]
fn limit_own_memory() -> std::io::Result<()> {
    use rlimit::Resource;
    let wanted = std::env::var(MEMORY_LIMIT_ENV)
        .ok()
        .and_then(|value| value.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_MEMORY_BYTES);
    let (_, hard) = rlimit::getrlimit(Resource::AS)?;
    let limit = wanted.min(hard);
    rlimit::setrlimit(Resource::AS, limit, limit)
}

/// Windows has no RLIMIT_AS; there the child relies on the parent's timeout alone.
#[cfg(not(unix))]
fn limit_own_memory() -> std::io::Result<()> {
    Ok(())
}

async fn read_head(pdf: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEADER_WINDOW);
    tokio::fs::File::open(pdf)
        .await?
        .take(HEADER_WINDOW as u64)
        .read_to_end(&mut head)
        .await?;
    Ok(head)
}

struct Capped {
    bytes: Vec<u8>,
    truncated: bool,
}

/// Reads a pipe to its end, keeping at most `cap` bytes (the last ones, where crash messages are) but
/// draining everything so the writer never blocks.
async fn read_capped(mut pipe: impl AsyncRead + Unpin, cap: usize) -> std::io::Result<Capped> {
    let mut bytes = Vec::new();
    let mut truncated = false;
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let read = pipe.read(&mut chunk).await?;
        if read == 0 {
            return Ok(Capped { bytes, truncated });
        }
        bytes.extend_from_slice(&chunk[..read]);
        if bytes.len() > cap {
            truncated = true;
            let excess = bytes.len() - cap;
            bytes.drain(..excess);
        }
    }
}

/// The first stdout line that is a well-formed report; anything else a library might print is ignored.
fn parse_report(stdout: &[u8]) -> Option<ChildReport> {
    stdout
        .split(|&byte| byte == b'\n')
        .find_map(|line| serde_json::from_slice::<ChildReport>(line).ok())
}

/// Why a child ended without a report: out of memory, or another crash.
fn refusal_for_death(status: ExitStatus, stderr: &[u8], memory_bytes: u64) -> IngestError {
    if ran_out_of_memory(status, stderr) {
        IngestError::TooComplex(format!(
            "reading it needs more than the {} MiB the reader may use ({})",
            memory_bytes >> 20,
            describe_status(status)
        ))
    } else {
        IngestError::Crashed(describe_crash(status, stderr))
    }
}

/// What a dying child prints when an allocation fails: Rust's allocation-failure handler
/// ("memory allocation of N bytes failed"), libc++ ("bad_alloc"), and the usual wordings of C
/// libraries. Compared in lower case.
const OUT_OF_MEMORY_SAYINGS: [&str; 5] = [
    "memory allocation of",
    "bad_alloc",
    "out of memory",
    "cannot allocate memory",
    "unexpected oom",
];

/// SIGABRT, the same number on every Unix this runs on.
const SIGABRT: i32 = 6;

/// Whether the child died because an allocation failed within its RLIMIT_AS. Seen here (PDFium
/// build 8149, a page whose content inflates past the limit): PDFium ends a failed allocation in
/// `FX_OutOfMemoryTerminate`, which calls `abort()` and prints nothing; Rust and libc++ print one
/// of [`OUT_OF_MEMORY_SAYINGS`] before aborting. The other ways this child aborts say why on
/// stderr (glibc's heap checks, failed assertions, libc++'s hardening), and PDFium's own checks
/// trap (SIGTRAP, SIGILL) rather than abort, so a silent SIGABRT is taken as out of memory.
fn ran_out_of_memory(status: ExitStatus, stderr: &[u8]) -> bool {
    let stderr = String::from_utf8_lossy(stderr).to_lowercase();
    let says_so = OUT_OF_MEMORY_SAYINGS.iter().any(|saying| stderr.contains(saying));
    let silent_abort = stderr.trim().is_empty() && signal(status) == Some(SIGABRT);
    !status.success() && (says_so || silent_abort)
}

fn signal(status: ExitStatus) -> Option<i32> {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal()
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        None
    }
}

fn describe_crash(status: ExitStatus, stderr: &[u8]) -> String {
    let stderr = String::from_utf8_lossy(stderr);
    let last_lines: Vec<&str> = stderr.lines().map(str::trim).filter(|line| !line.is_empty()).collect();
    let tail = last_lines[last_lines.len().saturating_sub(3)..].join(" | ");
    if tail.is_empty() {
        format!("{} without a report", describe_status(status))
    } else {
        format!("{} without a report: {tail}", describe_status(status))
    }
}

fn describe_status(status: ExitStatus) -> String {
    if let Some(signal) = signal(status) {
        return format!("the child was killed by signal {signal}");
    }
    match status.code() {
        Some(code) => format!("the child exited with code {code}"),
        None => "the child ended abnormally".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_round_trips_every_reason() {
        let outcomes: Vec<Result<IndexedPdf, IngestError>> = vec![
            Ok(IndexedPdf {
                pages: vec![],
                unrenderable_pages: vec![3],
            }),
            Err(IngestError::NotAPdf),
            Err(IngestError::Encrypted),
            Err(IngestError::Unreadable("hỏng".to_owned())),
            Err(IngestError::TimedOut(Duration::from_millis(1500))),
            Err(IngestError::TooComplex("w".to_owned())),
            Err(IngestError::Crashed("x".to_owned())),
            Err(IngestError::Library("y".to_owned())),
            Err(IngestError::Io(std::io::Error::other("z"))),
        ];
        for outcome in outcomes {
            let expected = format!("{outcome:?}");
            let line = serde_json::to_vec(&ChildReport::from(outcome)).expect("serialises");
            let back: Result<IndexedPdf, IngestError> = parse_report(&line).expect("parses back").into();
            let same = match (&back, expected.as_str()) {
                (Err(IngestError::Io(error)), text) => text.contains(&error.to_string()),
                (other, text) => format!("{other:?}") == text,
            };
            assert!(same, "{expected} came back as {back:?}");
        }
    }

    #[test]
    fn report_is_found_after_stray_output() {
        let stdout = b"warning from a library\n{\"outcome\":\"encrypted\"}\n";
        assert!(matches!(parse_report(stdout), Some(ChildReport::Encrypted)));
        assert!(parse_report(b"garbage\n").is_none());
    }
}

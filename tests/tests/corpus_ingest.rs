//! Real files are uploaded to a real server: each is indexed or refused with a clear code, and the
//! server keeps serving throughout. The Vietnamese meeting documents of the repository always go;
//! the large hostile-PDF corpus (168 real-world PDFs from pdf.js's test suite, fuzzed and broken
//! ones included) joins them when this machine has it, and the test says so when it does not.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use phonghop_journeys::{hostile_pdf_corpus, vietnamese_document, TestServer};
use phonghop_protocol::http::UploadResponse;
use phonghop_protocol::{Command, Document, DocumentId, ErrorCode, ErrorFrame, ItemId, MeetingId};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

/// The server indexes each upload in a child process; two at a time on two cores.
const IN_FLIGHT: usize = 2;

/// Longer than the server's own 30 s indexing limit: an upload may be refused slowly, never hang.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(120);

const REFUSAL_CODES: [ErrorCode; 4] = [
    ErrorCode::InvalidDocument,
    ErrorCode::EncryptedDocument,
    ErrorCode::DocumentTooComplex,
    ErrorCode::OfficeConversionFailed,
];

const VIETNAMESE_PDFS: [&str; 4] = [
    "bao-cao-kinh-te-xa-hoi.pdf",
    "du-thao-nghi-quyet-v1.pdf",
    "du-thao-nghi-quyet-v2.pdf",
    "to-trinh-phong-hop-khong-giay.pdf",
];

/// How the server answered one upload.
enum Answer {
    Accepted(Box<Document>),
    Refused(ErrorCode),
}

/// What one upload needs to reach the server.
#[derive(Clone)]
struct Uploader {
    http: reqwest::Client,
    server: String,
    token: String,
    meeting: MeetingId,
    item: ItemId,
}

/// The Vietnamese documents of the repository, and the hostile corpus when it is here.
fn corpus_files() -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = VIETNAMESE_PDFS
        .iter()
        .chain(["giay-moi-hop.docx", "dai-bieu.csv"].iter())
        .map(|name| vietnamese_document(name))
        .collect();
    match hostile_pdf_corpus() {
        Some(dir) => {
            for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
                let path = entry?.path();
                if path.is_file() {
                    files.push(path);
                }
            }
        }
        None => println!(
            "SKIPPED part: the hostile-PDF corpus is not on this machine (set PHONGHOP_CORPUS); \
             only the repository's Vietnamese documents are uploaded"
        ),
    }
    files.sort();
    Ok(files)
}

impl Uploader {
    /// Uploads one file and checks the answer's shape; after a refusal, checks the server still
    /// answers.
    async fn upload(&self, path: PathBuf) -> Result<(String, Answer)> {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let size = bytes.len() as u64;
        let request = self
            .http
            .post(format!(
                "{}/api/meetings/{}/items/{}/documents",
                self.server, self.meeting, self.item
            ))
            .bearer_auth(&self.token)
            .query(&[("file_name", name.as_str()), ("title", name.trim_end_matches(".pdf"))])
            .body(bytes);
        let exchange = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        };
        let (status, body) = tokio::time::timeout(UPLOAD_TIMEOUT, exchange)
            .await
            .with_context(|| format!("{name}: no answer within {UPLOAD_TIMEOUT:?}"))?
            .with_context(|| format!("{name}: the upload failed"))?;
        let answer = match status {
            200 => {
                let upload: UploadResponse =
                    serde_json::from_slice(&body).with_context(|| format!("{name}: reading the answer"))?;
                let document = upload.document;
                ensure!(
                    document.current.page_count >= 1,
                    "{name}: accepted with {} pages",
                    document.current.page_count
                );
                // A converted Office file is kept as it was sent, beside its PDF.
                let (kept_sha256, kept_size) = match &document.current.original {
                    Some(original) => (&original.sha256, original.size),
                    None => (&document.current.sha256, document.current.size),
                };
                ensure!(
                    kept_sha256.as_str() == sha256 && kept_size == size,
                    "{name}: stored as {document:?}"
                );
                ensure!(
                    document.current.file_name == name,
                    "{name}: stored under the name {:?}",
                    document.current.file_name
                );
                Answer::Accepted(Box::new(document))
            }
            400..=499 => {
                let error: ErrorFrame = serde_json::from_slice(&body).with_context(|| {
                    format!(
                        "{name}: HTTP {status} without an error frame: {}",
                        String::from_utf8_lossy(&body)
                    )
                })?;
                ensure!(REFUSAL_CODES.contains(&error.code), "{name}: refused with {error}");
                ensure!(
                    error.code.http_status() == status,
                    "{name}: {:?} sent as HTTP {status}",
                    error.code
                );
                ensure!(
                    !error.message_vi.is_empty() && !error.message_en.is_empty(),
                    "{name}: {error:?} lacks a message"
                );
                self.health()
                    .await
                    .with_context(|| format!("the server after refusing {name}"))?;
                Answer::Refused(error.code)
            }
            _ => bail!("{name}: HTTP {status}: {}", String::from_utf8_lossy(&body)),
        };
        Ok((name, answer))
    }

    async fn health(&self) -> Result<()> {
        let check = self.http.get(format!("{}/api/health", self.server)).send();
        let response = tokio::time::timeout(Duration::from_secs(30), check)
            .await
            .context("no answer to the health check")??;
        ensure!(
            response.status().is_success(),
            "health check: HTTP {}",
            response.status()
        );
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_file_is_indexed_or_refused_and_the_server_keeps_serving() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item_title = "Tài liệu kỳ họp";
    secretariat
        .command(
            meeting,
            &Command::AddAgendaItem {
                parent: None,
                title: item_title.to_owned(),
                description: String::new(),
            },
        )
        .await?;
    let item = secretariat.snapshot(meeting).await?.state.items[0].id;
    let uploader = Uploader {
        http: reqwest::Client::new(),
        server: server.url().to_owned(),
        token: secretariat.token.clone(),
        meeting,
        item,
    };

    let files = corpus_files()?;
    if hostile_pdf_corpus().is_some() {
        ensure!(files.len() >= 170, "the corpus has only {} files", files.len());
    }
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut uploads = tokio::task::JoinSet::new();
    for path in files.iter().cloned() {
        let permits = permits.clone();
        let uploader = uploader.clone();
        uploads.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("the semaphore is never closed");
            uploader.upload(path).await
        });
    }
    let mut accepted: BTreeMap<String, Document> = BTreeMap::new();
    let mut refused: BTreeMap<String, ErrorCode> = BTreeMap::new();
    let mut failures = Vec::new();
    while let Some(joined) = uploads.join_next().await {
        match joined? {
            Ok((name, Answer::Accepted(document))) => {
                accepted.insert(name, *document);
            }
            Ok((name, Answer::Refused(code))) => {
                refused.insert(name, code);
            }
            Err(error) => failures.push(format!("{error:#}")),
        }
    }
    assert!(failures.is_empty(), "uploads that went wrong:\n{}", failures.join("\n"));
    assert_eq!(accepted.len() + refused.len(), files.len(), "every file got an answer");

    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    for code in refused.values() {
        *by_code.entry(format!("{code:?}")).or_default() += 1;
    }
    println!(
        "corpus: {} files, accepted {}, refused {} {by_code:?}",
        files.len(),
        accepted.len(),
        refused.len()
    );

    for name in VIETNAMESE_PDFS {
        assert!(
            accepted.contains_key(name),
            "{name} is accepted (refused: {:?})",
            refused.get(name)
        );
    }
    assert_eq!(accepted["bao-cao-kinh-te-xa-hoi.pdf"].current.page_count, 460);
    let invitation = accepted.get("giay-moi-hop.docx").with_context(|| {
        format!(
            "the Word file is converted (refused: {:?})",
            refused.get("giay-moi-hop.docx")
        )
    })?;
    assert!(
        invitation.current.original.is_some(),
        "the Word file is kept beside its PDF"
    );

    let snapshot = secretariat.snapshot(meeting).await?;
    let listed: BTreeSet<DocumentId> = snapshot.state.items[0]
        .documents
        .iter()
        .map(|document| document.id)
        .collect();
    let acknowledged: BTreeSet<DocumentId> = accepted.values().map(|document| document.id).collect();
    assert_eq!(listed, acknowledged, "the meeting lists exactly the accepted documents");
    for document in &snapshot.state.items[0].documents {
        assert_eq!(
            Some(document),
            accepted.get(&document.current.file_name),
            "the snapshot agrees with the upload's answer"
        );
    }
    Ok(())
}

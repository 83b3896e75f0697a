//! `doc-sync`: councillors download a meeting's documents (the demo PDFs and one large generated
//! PDF) from phonghop's blob endpoint: (a) one councillor, one document after another; (b) every
//! councillor, every document, all at once. Beside it, nginx serving the same blob files at the
//! same relative paths (`ab/<sha256>`), fetched by the same client code with the same requests.
//! Rounds alternate between the two servers, so a noisy neighbour hurts both alike.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use futures_util::future::try_join_all;
use phonghop_protocol::{Document, ItemId, Sha256};
use sha2::Digest;

use crate::nginx::Nginx;
use crate::report::{median, megabytes_per_second, raise_open_file_limit, resident_bytes, round, tree_resident_bytes};
use crate::report::{Better, Figure};
use crate::server::{username, BenchServer};
use phonghop_journeys::large_pdf::large_pdf;

#[derive(clap::Args, Clone)]
pub struct Options {
    /// Councillors downloading at once.
    #[arg(long, default_value_t = 35)]
    clients: usize,
    /// Size of the generated large PDF, in MiB.
    #[arg(long, default_value_t = 64)]
    large_mib: usize,
    /// Timed rounds of everyone downloading at once, on each server; the median is reported.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Timed rounds of one councillor downloading, on each server; the median is reported. A
    /// round lasts tens of milliseconds, so more of them are needed to see past the noise of a
    /// shared machine.
    #[arg(long, default_value_t = 21)]
    sequential_rounds: usize,
    /// The server's memory for documents being downloaded (`serve --hot-documents-mib`); 0
    /// streams every download from disk. Default: the server's own.
    #[arg(long)]
    hot_documents_mib: Option<u64>,
    /// The folder of the meeting's PDFs, uploaded beside the large one.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo"))]
    documents: PathBuf,
    /// A tiny run that only proves the scenario works.
    #[arg(long)]
    smoke: bool,
}

/// One server the documents are fetched from.
struct Origin {
    /// The address of each document, in the meeting's order.
    urls: Vec<String>,
}

/// What a councillor's laptop runs: one keep-alive connection, one document after another,
/// every byte read and counted (not kept: the client's disk is not what is measured).
struct Councillor {
    http: reqwest::Client,
    token: String,
}

impl Councillor {
    fn new(token: String) -> Result<Councillor> {
        Ok(Councillor {
            http: reqwest::Client::builder().pool_max_idle_per_host(1).build()?,
            token,
        })
    }

    async fn download(&self, url: &str, size: u64) -> Result<()> {
        let mut response = self.http.get(url).bearer_auth(&self.token).send().await?;
        ensure!(response.status() == 200, "GET {url}: {}", response.status());
        let mut received = 0;
        while let Some(chunk) = response.chunk().await? {
            received += chunk.len() as u64;
        }
        ensure!(received == size, "GET {url}: {received} bytes, not {size}");
        Ok(())
    }

    /// Every document, one after another; how long it took.
    async fn download_all(&self, origin: &Origin, documents: &[Document]) -> Result<Duration> {
        let started = Instant::now();
        for (url, document) in origin.urls.iter().zip(documents) {
            self.download(url, document.current.size).await?;
        }
        Ok(started.elapsed())
    }

    /// Fetches every document once and checks its bytes against its name.
    async fn verify(&self, origin: &Origin, documents: &[Document]) -> Result<()> {
        for (url, document) in origin.urls.iter().zip(documents) {
            let bytes = self
                .http
                .get(url)
                .bearer_auth(&self.token)
                .send()
                .await?
                .bytes()
                .await?;
            let digest = Sha256::from_digest(&sha2::Sha256::digest(&bytes).into());
            ensure!(
                digest == document.current.sha256,
                "{url} did not serve the document's bytes"
            );
        }
        Ok(())
    }
}

/// One round of each kind on one origin: megabytes per second.
async fn sequential(councillor: &Councillor, origin: &Origin, documents: &[Document], bytes: u64) -> Result<f64> {
    let took = councillor.download_all(origin, documents).await?;
    Ok(megabytes_per_second(bytes, took))
}

async fn all_at_once(councillors: &[Councillor], origin: &Origin, documents: &[Document], bytes: u64) -> Result<f64> {
    let started = Instant::now();
    try_join_all(councillors.iter().map(|c| c.download_all(origin, documents))).await?;
    Ok(megabytes_per_second(
        bytes * councillors.len() as u64,
        started.elapsed(),
    ))
}

pub async fn run(mut options: Options) -> Result<()> {
    if options.smoke {
        options.clients = options.clients.min(3);
        options.large_mib = options.large_mib.min(2);
        options.rounds = options.rounds.min(1);
        options.sequential_rounds = options.sequential_rounds.min(1);
    }
    raise_open_file_limit()?;
    let serve_options: Vec<String> = options
        .hot_documents_mib
        .iter()
        .flat_map(|mib| ["--hot-documents-mib".to_owned(), mib.to_string()])
        .collect();
    let server = BenchServer::start_with(options.clients, &serve_options).await?;
    let (meeting, secretariat) = server.prepare_meeting(options.clients).await?;
    let mut documents = Vec::new();
    for path in demo_documents(&options.documents)? {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("tai-lieu.pdf")
            .to_owned();
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        documents.push(server.upload(&secretariat, meeting, ItemId(1), &name, bytes).await?);
    }
    let large = large_pdf(options.large_mib * 1024 * 1024);
    documents.push(
        server
            .upload(&secretariat, meeting, ItemId(1), "tai-lieu-lon.pdf", large)
            .await
            .context("uploading the large generated PDF")?,
    );
    let bytes: u64 = documents.iter().map(|document| document.current.size).sum();
    let usernames: Vec<String> = (3..options.clients + 3).map(username).collect();
    let tokens = server.login_all(&usernames).await?;
    let councillors = tokens.into_iter().map(Councillor::new).collect::<Result<Vec<_>>>()?;

    let phonghop = Origin {
        urls: documents
            .iter()
            .map(|document| format!("{}/api/blobs/{}", server.url, document.current.sha256))
            .collect(),
    };
    let nginx = Nginx::start(&server.blob_folder()).await;
    let nginx_origin = nginx.as_ref().ok().map(|nginx| Origin {
        urls: documents
            .iter()
            .map(|document| {
                let name = document.current.sha256.as_str();
                format!("{}/{}/{name}", nginx.url, &name[..2])
            })
            .collect(),
    });
    if let Err(error) = &nginx {
        eprintln!("doc-sync: no nginx baseline, absolute numbers only: {error:#}");
    }

    let memory_before = resident_bytes(server.pid())?;
    // Untimed: the right bytes from both, connections open, files in the page cache.
    for origin in std::iter::once(&phonghop).chain(&nginx_origin) {
        councillors[0].verify(origin, &documents).await?;
        all_at_once(&councillors, origin, &documents, bytes).await?;
    }

    let mut rounds = Rounds::default();
    for round in 0..options.sequential_rounds {
        // Each server goes first every other round, so neither always finds the other's leftovers.
        let phonghop_first = round % 2 == 0;
        if phonghop_first {
            rounds
                .phonghop_sequential
                .push(sequential(&councillors[0], &phonghop, &documents, bytes).await?);
        }
        if let Some(origin) = &nginx_origin {
            rounds
                .nginx_sequential
                .push(sequential(&councillors[0], origin, &documents, bytes).await?);
        }
        if !phonghop_first {
            rounds
                .phonghop_sequential
                .push(sequential(&councillors[0], &phonghop, &documents, bytes).await?);
        }
    }
    for round in 0..options.rounds {
        let phonghop_first = round % 2 == 0;
        if phonghop_first {
            rounds
                .phonghop_parallel
                .push(all_at_once(&councillors, &phonghop, &documents, bytes).await?);
        }
        if let Some(origin) = &nginx_origin {
            rounds
                .nginx_parallel
                .push(all_at_once(&councillors, origin, &documents, bytes).await?);
        }
        if !phonghop_first {
            rounds
                .phonghop_parallel
                .push(all_at_once(&councillors, &phonghop, &documents, bytes).await?);
        }
    }
    let server_memory = resident_bytes(server.pid())?;
    let nginx_memory = match &nginx {
        Ok(nginx) => Ok(tree_resident_bytes(nginx.pid())?),
        Err(_) => Err("nginx is not available"),
    };

    let baseline_name = "nginx (sendfile on), same files";
    let missing = match &nginx {
        Ok(_) => Ok(()),
        Err(_) => Err("nginx is not available (see standard error)"),
    };
    let parameters = serde_json::json!({
        "clients": options.clients,
        "documents": documents.len(),
        "meeting_bytes": bytes,
        "large_mib": options.large_mib,
        "rounds": options.rounds,
        "sequential_rounds": options.sequential_rounds,
        "nginx": nginx.as_ref().map(|n| n.version.clone()).ok(),
        "hot_documents_mib": options.hot_documents_mib,
    });
    // Every round's MB/s beside the median, so that a reader sees how noisy the machine was.
    let with_rounds = |phonghop: &[f64], nginx: &[f64]| {
        let mut parameters = parameters.clone();
        parameters["each_round"] = serde_json::json!({ "phonghop": phonghop, "nginx": nginx });
        parameters
    };
    Figure::new(
        "doc-sync",
        format!(
            "one councillor downloads the meeting's {} documents, one after another",
            documents.len()
        ),
        "MB/s",
        Better::Higher,
        median(&rounds.phonghop_sequential),
    )
    .beside_or(baseline_name, missing.map(|()| median(&rounds.nginx_sequential)))
    .goal("≥ 0.8 × nginx")
    .with(with_rounds(&rounds.phonghop_sequential, &rounds.nginx_sequential))
    .print();
    Figure::new(
        "doc-sync",
        format!(
            "{} councillors download every document at once (total)",
            options.clients
        ),
        "MB/s",
        Better::Higher,
        median(&rounds.phonghop_parallel),
    )
    .beside_or(baseline_name, missing.map(|()| median(&rounds.nginx_parallel)))
    .goal("≥ 0.8 × nginx")
    .with(with_rounds(&rounds.phonghop_parallel, &rounds.nginx_parallel))
    .print();
    let mebibytes = |bytes: u64| round(bytes as f64 / (1024.0 * 1024.0), 1);
    Figure::new(
        "doc-sync",
        "server memory after the downloads",
        "MiB",
        Better::Lower,
        mebibytes(server_memory),
    )
    .beside_or("nginx master and workers", nginx_memory.map(mebibytes))
    .with(parameters)
    .note(format!(
        "{} MiB before the first download (after the uploads)",
        mebibytes(memory_before)
    ))
    .print();
    Ok(())
}

/// The MB/s of every timed round.
#[derive(Default)]
struct Rounds {
    phonghop_sequential: Vec<f64>,
    nginx_sequential: Vec<f64>,
    phonghop_parallel: Vec<f64>,
    nginx_parallel: Vec<f64>,
}

/// The PDFs of the demo folder, by name.
fn demo_documents(folder: &std::path::Path) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("reading {}", folder.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "pdf"))
        .collect();
    paths.sort();
    ensure!(!paths.is_empty(), "no PDF in {}", folder.display());
    Ok(paths)
}

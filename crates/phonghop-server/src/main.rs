//! `phonghop-server`: runs the session server, seeds the demo meeting, imports councillors. The
//! secretariat's command line over the HTTP API is its own program, `phonghop-admin`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use phonghop_server::writer::{Origin, LOCAL};
use phonghop_server::{demo, hot_folder, tls, App, Config};

#[derive(Parser)]
#[command(
    name = "phonghop-server",
    about = "Máy chủ phòng họp không giấy / paperless meeting room server"
)]
struct Cli {
    #[command(subcommand)]
    command: Top,
}

#[derive(Subcommand)]
enum Top {
    /// Run the server.
    Serve(Box<ServeArgs>),
    /// Create accounts for the councillors of a CSV file (ma_dai_bieu,ho_ten,chuc_vu,don_vi,vai_tro).
    ImportCouncillors {
        #[arg(long)]
        data: PathBuf,
        /// A PostgreSQL database (`postgres://user:password@host:port/name`) instead of the
        /// SQLite file in --data.
        #[arg(long, env = "PHONGHOP_DATABASE", value_name = "URL")]
        database: Option<String>,
        #[arg(long)]
        csv: PathBuf,
        /// The initial password of every new account (each hashed with its own salt).
        #[arg(long, required_unless_present = "password_hash")]
        password: Option<String>,
        /// Instead of --password: this argon2 PHC string as every new account's password hash
        /// (for bulk imports and benchmarks; make it with any argon2 tool).
        #[arg(long, conflicts_with = "password")]
        password_hash: Option<String>,
    },
    /// Set an account's powers beyond its meetings to exactly these: the council office
    /// (--admin: manages every meeting, creates meetings) and creating meetings
    /// (--create-meetings); a flag left out takes that power away. Counts from the account's
    /// next login.
    SetPermissions {
        #[arg(long)]
        data: PathBuf,
        /// A PostgreSQL database (`postgres://user:password@host:port/name`) instead of the
        /// SQLite file in --data.
        #[arg(long, env = "PHONGHOP_DATABASE", value_name = "URL")]
        database: Option<String>,
        #[arg(long)]
        username: String,
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        create_meetings: bool,
    },
    /// Check the audit trail's hash chain from its first entry: exits 0 if intact, 1 with where
    /// it breaks. --head SEQ:HASH (an entry's seq and hash noted earlier, from an export or an
    /// earlier check) also checks that entry is still there unchanged, so entries removed from
    /// the end since then show too.
    VerifyAudit {
        #[arg(long)]
        data: PathBuf,
        /// A PostgreSQL database (`postgres://user:password@host:port/name`) instead of the
        /// SQLite file in --data.
        #[arg(long, env = "PHONGHOP_DATABASE", value_name = "URL")]
        database: Option<String>,
        #[arg(long, value_name = "SEQ:HASH")]
        head: Option<String>,
    },
    /// Replace the server's own TLS certificate with a new one, the old key signing the
    /// hand-over: every laptop that pinned the old certificate moves to the new one by itself,
    /// with no one re-pinning. Takes effect when the server starts next.
    RotateCertificate {
        #[arg(long)]
        data: PathBuf,
        /// The PostgreSQL database the instances on --data serve, whose audit trail records
        /// the rotation.
        #[arg(long, env = "PHONGHOP_DATABASE", value_name = "URL")]
        database: Option<String>,
        /// A host name or address the new certificate names besides localhost (repeatable; as
        /// `serve --tls-name`).
        #[arg(long, value_name = "NAME")]
        tls_name: Vec<String>,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Folder for the database and the documents.
    #[arg(long, default_value = "phonghop-data")]
    data: PathBuf,
    /// A PostgreSQL database (`postgres://user:password@host:port/name`) instead of the SQLite
    /// file in --data: several instances may serve it, sharing --data (docs/deploy.md).
    #[arg(long, env = "PHONGHOP_DATABASE", value_name = "URL")]
    database: Option<String>,
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Seed the demo meeting: councillors from --councillors, documents from --demo-documents.
    #[arg(long)]
    demo: bool,
    #[arg(long, default_value = "assets/demo/dai-bieu.csv")]
    councillors: PathBuf,
    #[arg(long, default_value = "assets/demo")]
    demo_documents: PathBuf,
    /// Password of every demo account.
    #[arg(long, default_value = "hop-khong-giay")]
    demo_password: String,
    /// How long a login lasts, in seconds.
    #[arg(long, default_value_t = 12 * 60 * 60)]
    session_ttl_secs: u64,
    /// How long a hall screen's code (POST /api/meetings/{id}/hall-link) opens its meeting.
    #[arg(long, default_value_t = 72)]
    hall_link_hours: u64,
    /// The PDF indexer program (default: phonghop-index-pdf next to this program).
    #[arg(long)]
    indexer: Option<PathBuf>,
    /// LibreOffice's program for converting Office uploads to PDF (default: `soffice` or
    /// `libreoffice` on PATH; without it Office uploads are refused).
    #[arg(long)]
    soffice: Option<PathBuf>,
    /// How long one Office conversion may take, in seconds.
    #[arg(long, default_value_t = 120)]
    office_time_limit_secs: u64,
    /// Largest upload, in MiB.
    #[arg(long, default_value_t = 200)]
    max_upload_mib: usize,
    /// Documents kept in memory while they are downloaded, in MiB (a document larger than half
    /// of it is streamed from disk); 0 streams every download from disk.
    #[arg(long, default_value_t = 256)]
    hot_documents_mib: u64,
    /// Failed logins for one username from one address before that address must wait a minute.
    #[arg(long, default_value_t = 10)]
    max_failed_logins: u32,
    /// Failed logins from one address, any usernames, before it must wait a minute.
    #[arg(long, default_value_t = 50)]
    max_failed_logins_per_address: u32,
    /// Logins waiting for their password check beyond the ones running; more get `server_busy`.
    #[arg(long, default_value_t = 128)]
    password_queue: usize,
    /// A subscriber further behind than this many events gets a snapshot instead of a replay.
    #[arg(long, default_value_t = 1000)]
    max_replay: u32,
    /// Live tallies of a poll are sent at most this often, in milliseconds.
    #[arg(long, default_value_t = 100)]
    tally_interval_ms: u64,
    /// A hot folder to take documents from: DIR/<meeting id>/<item id, or a new item's title>/<PDF
    /// or Office file>; the same file name again is the document's next revision.
    #[arg(long, value_name = "DIR", requires = "watch_as")]
    watch: Option<PathBuf>,
    /// The account the hot folder acts as: the secretariat or the chair of each meeting it fills.
    #[arg(long, value_name = "USERNAME", requires = "watch")]
    watch_as: Option<String>,
    /// A file in the hot folder is taken once its size and time have not changed for this many
    /// milliseconds.
    #[arg(long, default_value_t = 1500)]
    watch_settle_ms: u64,
    /// The whole hot folder is looked at again this often (events can be missed, and a network
    /// share may send none).
    #[arg(long, default_value_t = 5)]
    watch_rescan_secs: u64,
    /// Serve HTTPS and WSS on a loopback address too (any other address always is: plain HTTP
    /// is for 127.0.0.1 only). The server's own certificate is made on first start in
    /// DATA/tls/; its fingerprint is printed for the app to pin.
    #[arg(long)]
    tls: bool,
    /// The operator's own certificate chain (PEM) instead of the server's own.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// A host name or address the server's own certificate names besides localhost (repeatable;
    /// the app checks the fingerprint, not the names).
    #[arg(long, value_name = "NAME")]
    tls_name: Vec<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // A person reads these errors: the message chain, without a backtrace.
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Lỗi / Error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Top::Serve(args) => serve(*args).await,
        Top::ImportCouncillors {
            data,
            database,
            csv,
            password,
            password_hash,
        } => {
            let app = App::open(config(data, database)).await?;
            let councillors = demo::read_councillors(&csv)?;
            let password = match (password, password_hash) {
                (_, Some(phc)) => {
                    argon2::password_hash::PasswordHash::new(&phc)
                        .map_err(|error| anyhow::anyhow!("--password-hash is not a PHC string: {error}"))?;
                    demo::InitialPassword::Hash(phc)
                }
                (Some(password), None) => demo::InitialPassword::Plain(password),
                (None, None) => anyhow::bail!("give --password or --password-hash"),
            };
            let created = demo::import_councillors(&app, &councillors, &password, true).await?;
            let detail = serde_json::json!({ "file": csv.display().to_string(), "new_accounts": created });
            record_command(&app, "accounts_created", detail).await?;
            println!(
                "{} tài khoản mới, {} đã có / {created} new accounts, {} already there",
                created,
                councillors.len() - created,
                councillors.len() - created
            );
            Ok(())
        }
        Top::SetPermissions {
            data,
            database,
            username,
            admin,
            create_meetings,
        } => {
            let app = App::open(config(data, database)).await?;
            let username = username.trim().to_lowercase();
            if !app.store.set_permissions(&username, admin, create_meetings).await? {
                anyhow::bail!("không có tài khoản {username:?} / no account {username:?}");
            }
            let create = admin || create_meetings;
            let detail = serde_json::json!({ "username": username, "admin": admin, "create_meetings": create });
            record_command(&app, "permissions_set", detail).await?;
            println!(
                "{username}: văn phòng (admin) {admin}, tạo cuộc họp {create} / council office {admin}, creates meetings {create}"
            );
            Ok(())
        }
        Top::VerifyAudit { data, database, head } => verify_audit(config(data, database), head).await,
        Top::RotateCertificate {
            data,
            database,
            tls_name,
        } => {
            let handover = tls::rotate(&data, &tls_name)?;
            let app = App::open(config(data, database)).await?;
            let detail = serde_json::json!({ "from": handover.from, "to": handover.to });
            record_command(&app, "certificate_rotated", detail).await?;
            let to: [u8; 32] = hex::decode(&handover.to)?
                .try_into()
                .map_err(|_| anyhow::anyhow!("a fingerprint is 32 bytes"))?;
            println!(
                "Chứng chỉ mới, có hiệu lực khi máy chủ khởi động lại / the new certificate, in effect when the \
                 server starts again:\n  {}",
                tls::fingerprint_text(&to)
            );
            println!("{}", tls::fingerprint_qr(&to)?);
            println!(
                "Máy tính đã ghim chứng chỉ cũ sẽ tự chuyển sang chứng chỉ mới (chứng chỉ cũ đã ký bàn giao). / Laptops \
                 that pinned the old certificate move to the new one by themselves (the old one signed the hand-over)."
            );
            println!("PHONGHOP_FINGERPRINT {}", handover.to);
            Ok(())
        }
    }
}

/// Writes what a command of this program changed to the audit trail, named as whoever ran it.
async fn record_command(app: &App, action: &str, detail: serde_json::Value) -> Result<()> {
    let account = std::env::var("USER").unwrap_or_else(|_| "?".to_owned());
    let origin = Origin {
        who: format!("dòng lệnh máy chủ / server command line ({account})"),
        address: LOCAL.to_owned(),
    };
    phonghop_server::audit::record(app, None, None, &origin, action, detail)
        .await
        .map_err(|error| anyhow::anyhow!("writing the audit trail: {}", error.0.detail))
}

async fn verify_audit(config: Config, head: Option<String>) -> Result<()> {
    let noted = head
        .map(|head| -> Result<(u64, String)> {
            let (seq, hash) = head.split_once(':').context("--head is SEQ:HASH, such as 42:9f86d0…")?;
            Ok((
                seq.trim().parse().context("--head: SEQ is a number")?,
                hash.trim().to_lowercase(),
            ))
        })
        .transpose()?;
    let app = App::open(config).await?;
    let verdict = app.store.verify_audit().await?;
    if let Some(broken) = verdict.broken {
        eprintln!("Nhật ký thao tác KHÔNG nguyên vẹn / The audit trail is NOT intact: {broken}");
        eprintln!(
            "  {} mục đầu khớp / the first {} entries check",
            verdict.entries, verdict.entries
        );
        std::process::exit(1);
    }
    if let Some((seq, hash)) = noted {
        let entry = app
            .store
            .audit_entries(None, seq.saturating_sub(1), 1)
            .await?
            .into_iter()
            .next();
        if entry.as_ref().map(|entry| (entry.seq, entry.hash.as_str())) != Some((seq, hash.as_str())) {
            eprintln!(
                "Nhật ký thao tác KHÔNG nguyên vẹn / The audit trail is NOT intact: entry {seq} is no longer the one \
                 noted (hash {hash}) / mục {seq} không còn như đã ghi"
            );
            std::process::exit(1);
        }
    }
    println!(
        "Nhật ký thao tác nguyên vẹn / The audit trail is intact: {} mục / entries, mã băm cuối / last hash {}",
        verdict.entries, verdict.head
    );
    Ok(())
}

/// The configuration of a command on the data folder `data` and, when given, a PostgreSQL
/// database.
fn config(data: PathBuf, database: Option<String>) -> Config {
    let mut config = Config::new(data);
    config.database = database.filter(|url| !url.trim().is_empty());
    config
}

async fn serve(args: ServeArgs) -> Result<()> {
    let mut config = config(args.data.clone(), args.database.clone());
    config.session_ttl = Duration::from_secs(args.session_ttl_secs);
    config.hall_link_ttl = Duration::from_secs(args.hall_link_hours * 3600);
    config.max_upload_bytes = args.max_upload_mib * 1024 * 1024;
    config.hot_blob_bytes = args.hot_documents_mib * 1024 * 1024;
    config.max_failed_logins = args.max_failed_logins;
    config.max_failed_logins_per_address = args.max_failed_logins_per_address;
    config.password_queue = args.password_queue;
    config.max_replay = args.max_replay;
    config.tally_interval = Duration::from_millis(args.tally_interval_ms);
    if let Some(indexer) = args.indexer {
        config.indexer = indexer;
    }
    config.soffice = args.soffice;
    config.office_time_limit = Duration::from_secs(args.office_time_limit_secs);
    let app = App::open(config).await?;
    // Timed polls that were open when the server stopped: due ones close now, the others on time.
    phonghop_server::timed_polls::watch(&app).await?;
    let listener = phonghop_server::app::bind(args.listen).with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    if args.demo {
        let councillors = demo::read_councillors(&args.councillors)?;
        let password = demo::InitialPassword::Plain(args.demo_password.clone());
        demo::import_councillors(&app, &councillors, &password, true).await?;
        let meeting_id = demo::create_demo_meeting(&app, &councillors, &args.demo_documents).await?;
        println!("Cuộc họp mẫu / demo meeting: {meeting_id}");
        println!(
            "Mật khẩu mọi tài khoản / password of every account: {}",
            args.demo_password
        );
        for councillor in councillors.iter().take(4) {
            println!(
                "  {}  {} ({:?})",
                councillor.username(),
                councillor.full_name,
                councillor.role
            );
        }
        println!("  … db005 – db035: đại biểu / delegates");
    }
    if let (Some(root), Some(username)) = (args.watch, args.watch_as) {
        std::fs::create_dir_all(&root).with_context(|| format!("creating the hot folder {}", root.display()))?;
        let actor = hot_folder::watcher_actor(&app, &username).await?;
        let mut watch = hot_folder::HotFolderConfig::new(root, username);
        watch.settle = Duration::from_millis(args.watch_settle_ms);
        watch.rescan = Duration::from_secs(args.watch_rescan_secs.max(1));
        hot_folder::spawn(app.clone(), watch, actor);
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let tls = args.tls || args.tls_cert.is_some() || !address.ip().is_loopback();
    if !tls {
        // Tests and scripts read this line to learn the port.
        println!("PHONGHOP_LISTENING http://{address}");
        phonghop_server::serve(listener, app, shutdown).await?;
        return Ok(());
    }
    let source = match (args.tls_cert, args.tls_key) {
        (Some(certificate), Some(key)) => tls::IdentitySource::Given { certificate, key },
        _ => tls::IdentitySource::Own { names: args.tls_name },
    };
    let identity = source.load(&args.data)?;
    println!(
        "Dấu vân tay chứng chỉ của máy chủ / the server certificate's fingerprint (SHA-256):\n  {}",
        identity.fingerprint_text()
    );
    println!("{}", tls::fingerprint_qr(&identity.fingerprint)?);
    // Tests and scripts read these lines to learn the port and the fingerprint to pin.
    println!("PHONGHOP_FINGERPRINT {}", hex::encode(identity.fingerprint));
    println!("PHONGHOP_LISTENING https://{address}");
    let acceptor = identity.acceptor()?;
    phonghop_server::app::serve_tls(listener, acceptor, app, shutdown).await?;
    Ok(())
}

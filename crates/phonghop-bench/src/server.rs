//! The real `phonghop-server` (the one built beside this program), with bench councillors: the
//! chair `db001`, the secretariat `db002` and delegates `db003`…, a meeting they are all members
//! of, and a logged-in session for each.
//!
//! Their password hash is argon2id with tiny parameters (given to `import-councillors
//! --password-hash`), so ten thousand logins take seconds, not an hour: the benchmarks measure
//! the meeting, not password hashing.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use argon2::password_hash::{PasswordHasher, SaltString};
use futures_util::{stream, StreamExt};
use phonghop_protocol::http::{AddMemberRequest, CreateMeetingRequest, LoginResponse, UploadResponse};
use phonghop_protocol::{AttendanceStatus, Command, Document, ItemId, MeetingId, MeetingSummary, Role, UserId};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command as Process};

pub const PASSWORD: &str = "bench-hop-khong-giay";

/// HTTP requests in flight at once while preparing.
const PREPARING: usize = 32;

/// Starts `phonghop-server serve` on `data` (and `database`, PostgreSQL, when given); its process
/// and the URL it listens on.
async fn serve(data: &tempfile::TempDir, database: Option<&str>, serve_options: &[String]) -> Result<(Child, String)> {
    let mut command = Process::new(sibling("phonghop-server")?);
    name_database(&mut command, database);
    let mut child = command
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--max-failed-logins-per-address",
            "1000000",
        ])
        .args(serve_options)
        .arg("--data")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("starting phonghop-server")?;
    let mut lines = BufReader::new(child.stdout.take().context("the server's output")?).lines();
    let url = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(url) = line.strip_prefix("PHONGHOP_LISTENING ") {
                return Ok(url.trim().to_owned());
            }
        }
        bail!("the server stopped before listening")
    })
    .await
    .context("the server did not start within 60 s")??;
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, url))
}

/// Names the database to a server command: PostgreSQL's URL, or none for the data folder's SQLite.
fn name_database(command: &mut Process, database: Option<&str>) {
    match database {
        Some(url) => command.env("PHONGHOP_DATABASE", url),
        None => command.env_remove("PHONGHOP_DATABASE"),
    };
}

/// Another `phonghop-server serve` on a [`BenchServer`]'s database and data folder.
pub struct Instance {
    child: Option<Child>,
    pub url: String,
}

impl Instance {
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref()?.id()
    }

    /// Kills it with SIGKILL (`kill -9`) and waits for it to die.
    pub async fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.start_kill().context("killing the instance")?;
            child.wait().await.context("waiting for the killed instance")?;
        }
        Ok(())
    }
}

/// A program built beside this one (`phonghop-server`, `phonghop-index-pdf`).
pub fn sibling(name: &str) -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe
        .parent()
        .context("this program has a folder")?
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    ensure!(
        path.is_file(),
        "{} is missing: build it beside phonghop-bench",
        path.display()
    );
    Ok(path)
}

/// The username of the `number`-th councillor (1 chair, 2 secretariat, 3… delegates).
pub fn username(number: usize) -> String {
    format!("db{number:03}")
}

pub struct BenchServer {
    child: Child,
    pub url: String,
    http: reqwest::Client,
    _data: tempfile::TempDir,
    /// Its PostgreSQL database, when it runs on one (else SQLite in the data folder).
    database: Option<String>,
    /// The options it was started with, to start it again the same way.
    serve_options: Vec<String>,
}

impl BenchServer {
    /// Starts a server with a chair, a secretariat and `delegates` delegates.
    pub async fn start(delegates: usize) -> Result<BenchServer> {
        BenchServer::start_with(delegates, &[]).await
    }

    /// [`BenchServer::start`], with more options for `phonghop-server serve`.
    pub async fn start_with(delegates: usize, serve_options: &[String]) -> Result<BenchServer> {
        BenchServer::start_on(delegates, None, serve_options).await
    }

    /// [`BenchServer::start_with`] on the PostgreSQL database `database`, or SQLite when `None`.
    pub async fn start_on(delegates: usize, database: Option<String>, serve_options: &[String]) -> Result<BenchServer> {
        let data = tempfile::Builder::new().prefix("phonghop-bench-").tempdir()?;
        let csv = data.path().join("councillors.csv");
        let mut rows = String::from("ma_dai_bieu,ho_ten,chuc_vu,don_vi,vai_tro\n");
        for number in 1..=delegates + 2 {
            let role = match number {
                1 => "chu_toa",
                2 => "thu_ky",
                _ => "dai_bieu",
            };
            rows.push_str(&format!(
                "DB{number:03},Đại biểu số {number},Đại biểu HĐND,Xã Quyết Thắng,{role}\n"
            ));
        }
        std::fs::write(&csv, rows)?;
        let salt = SaltString::encode_b64(b"phonghop-bench-salt")?;
        let weak = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(8, 1, 1, None)?,
        );
        let phc = weak.hash_password(PASSWORD.as_bytes(), &salt)?.to_string();
        let mut import = Process::new(sibling("phonghop-server")?);
        name_database(&mut import, database.as_deref());
        let import = import
            .arg("import-councillors")
            .arg("--data")
            .arg(data.path())
            .arg("--csv")
            .arg(&csv)
            .arg("--password-hash")
            .arg(&phc)
            .output()
            .await?;
        ensure!(
            import.status.success(),
            "import-councillors: {}",
            String::from_utf8_lossy(&import.stderr)
        );
        let (child, url) = serve(&data, database.as_deref(), serve_options).await?;
        Ok(BenchServer {
            child,
            url,
            http: reqwest::Client::new(),
            _data: data,
            database,
            serve_options: serve_options.to_vec(),
        })
    }

    /// Another instance on the same database and data folder (PostgreSQL only).
    pub async fn start_instance(&self) -> Result<Instance> {
        ensure!(self.database.is_some(), "several instances need a PostgreSQL database");
        let (child, url) = serve(&self._data, self.database.as_deref(), &self.serve_options).await?;
        Ok(Instance {
            child: Some(child),
            url,
        })
    }

    /// Starts `instance` again after [`Instance::kill`], on a new port.
    pub async fn restart_instance(&self, instance: &mut Instance) -> Result<()> {
        let (child, url) = serve(&self._data, self.database.as_deref(), &self.serve_options).await?;
        instance.child = Some(child);
        instance.url = url;
        Ok(())
    }

    /// Kills the server with SIGKILL (`kill -9`) and starts it again on the same data folder, on
    /// a new port; returns how long from the kill until it listened again.
    pub async fn kill_and_restart(&mut self) -> Result<Duration> {
        let killed = std::time::Instant::now();
        self.child.start_kill().context("killing the server")?;
        self.child.wait().await.context("waiting for the killed server")?;
        let (child, url) = serve(&self._data, self.database.as_deref(), &self.serve_options).await?;
        self.child = child;
        self.url = url;
        Ok(killed.elapsed())
    }

    /// The server's SQLite database file.
    pub fn database_path(&self) -> PathBuf {
        self._data.path().join("phonghop.sqlite3")
    }

    /// The folder of its open secret polls' keys.
    pub fn ballot_key_folder(&self) -> PathBuf {
        self._data.path().join("phonghop.sqlite3.ballot-keys")
    }

    /// A GET of the API as `token`, its JSON answer.
    pub async fn get<T: serde::de::DeserializeOwned>(&self, token: &str, path: &str) -> Result<T> {
        self.get_at(&self.url, token, path).await
    }

    /// [`BenchServer::get`] from the instance at `url`.
    pub async fn get_at<T: serde::de::DeserializeOwned>(&self, url: &str, token: &str, path: &str) -> Result<T> {
        let response = self.http.get(format!("{url}{path}")).bearer_auth(token).send().await?;
        let status = response.status();
        let text = response.text().await?;
        ensure!(status.is_success(), "GET {path}: {status} {text}");
        Ok(serde_json::from_str(&text)?)
    }

    /// A command over HTTP, answered or refused: the server's JSON either way.
    pub async fn try_command(
        &self,
        token: &str,
        meeting: MeetingId,
        id: &str,
        command: &Command,
    ) -> Result<(bool, serde_json::Value)> {
        self.try_command_at(&self.url, token, meeting, id, command).await
    }

    /// [`BenchServer::try_command`] through the instance at `url`; an error when it cannot be
    /// reached.
    pub async fn try_command_at(
        &self,
        url: &str,
        token: &str,
        meeting: MeetingId,
        id: &str,
        command: &Command,
    ) -> Result<(bool, serde_json::Value)> {
        let response = self
            .http
            .post(format!("{url}/api/meetings/{meeting}/commands"))
            .bearer_auth(token)
            .json(&serde_json::json!({ "id": id, "command": command }))
            .send()
            .await?;
        let ok = response.status().is_success();
        Ok((ok, response.json().await?))
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or_default()
    }

    /// The folder of the server's blob files (`ab/<sha256>`).
    pub fn blob_folder(&self) -> PathBuf {
        self._data.path().join("blobs")
    }

    pub fn websocket_url(&self) -> String {
        format!("ws{}/ws", self.url.trim_start_matches("http"))
    }

    /// Logs `username` in; returns the session token.
    pub async fn login(&self, username: &str) -> Result<String> {
        let response = self
            .http
            .post(format!("{}/api/login", self.url))
            .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
            .send()
            .await?;
        ensure!(
            response.status().is_success(),
            "login {username}: {}",
            response.status()
        );
        Ok(response.json::<LoginResponse>().await?.token)
    }

    /// Logs every one of `usernames` in, a few at a time; tokens in the same order.
    pub async fn login_all(&self, usernames: &[String]) -> Result<Vec<String>> {
        stream::iter(usernames)
            .map(|username| self.login(username))
            .buffered(PREPARING)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect()
    }

    /// The secretariat creates a meeting, makes `db001` its chair and every delegate a member,
    /// and adds one agenda item (the first server-wide is `ItemId(1)`; [`BenchServer::first_item`]
    /// finds another meeting's). Returns the meeting and the secretariat's token.
    pub async fn prepare_meeting(&self, delegates: usize) -> Result<(MeetingId, String)> {
        let secretariat = self.login(&username(2)).await?;
        let meeting: MeetingSummary = self
            .post(
                &secretariat,
                "/api/meetings",
                &CreateMeetingRequest {
                    title: "Kỳ họp đo hiệu năng".into(),
                    location: String::new(),
                    starts_at: String::new(),
                    kind: Default::default(),
                },
            )
            .await?;
        let members: Vec<(String, Role)> = std::iter::once((username(1), Role::Chair))
            .chain((3..delegates + 3).map(|number| (username(number), Role::Delegate)))
            .collect();
        let path = format!("/api/meetings/{}/members", meeting.id);
        let added: Vec<Result<serde_json::Value>> = stream::iter(members)
            .map(|(username, role)| {
                let (secretariat, path) = (&secretariat, &path);
                async move { self.post(secretariat, path, &AddMemberRequest { username, role }).await }
            })
            .buffer_unordered(PREPARING)
            .collect()
            .await;
        let added = added.into_iter().collect::<Result<Vec<_>>>()?;
        // The secretariat marks everyone present, so the meeting's quorum is there for polls.
        let marked: Vec<Result<serde_json::Value>> = stream::iter(added)
            .map(|member| {
                let secretariat = &secretariat;
                async move {
                    let user_id: UserId = serde_json::from_value(member["user"]["id"].clone())?;
                    let mark = Command::SetAttendance {
                        user_id,
                        status: AttendanceStatus::Present,
                        reason: String::new(),
                    };
                    // Command ids are the secretariat's own across meetings: each names its meeting.
                    let id = format!("present-{}-{user_id}", meeting.id);
                    self.command(secretariat, meeting.id, &id, &mark).await
                }
            })
            .buffer_unordered(PREPARING)
            .collect()
            .await;
        marked.into_iter().collect::<Result<Vec<_>>>()?;
        self.command(
            &secretariat,
            meeting.id,
            &format!("item-1-{}", meeting.id),
            &Command::AddAgendaItem {
                parent: None,
                title: "Nội dung đo hiệu năng".into(),
                description: String::new(),
            },
        )
        .await?;
        Ok((meeting.id, secretariat))
    }

    /// The first agenda item of `meeting`.
    pub async fn first_item(&self, token: &str, meeting: MeetingId) -> Result<ItemId> {
        let snapshot: serde_json::Value = self.get(token, &format!("/api/meetings/{meeting}/snapshot")).await?;
        Ok(serde_json::from_value(snapshot["state"]["items"][0]["id"].clone())?)
    }

    /// A command over HTTP.
    pub async fn command(
        &self,
        token: &str,
        meeting: MeetingId,
        id: &str,
        command: &Command,
    ) -> Result<serde_json::Value> {
        let body = serde_json::json!({ "id": id, "command": command });
        self.post(token, &format!("/api/meetings/{meeting}/commands"), &body)
            .await
    }

    /// Uploads a PDF to an agenda item, as the secretariat's app does.
    pub async fn upload(
        &self,
        token: &str,
        meeting: MeetingId,
        item: ItemId,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<Document> {
        let response = self
            .http
            .post(format!("{}/api/meetings/{meeting}/items/{item}/documents", self.url))
            .bearer_auth(token)
            .query(&[("file_name", file_name)])
            .body(bytes)
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        ensure!(status.is_success(), "uploading {file_name}: {status} {text}");
        Ok(serde_json::from_str::<UploadResponse>(&text)?.document)
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        body: &impl serde::Serialize,
    ) -> Result<T> {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(token)
            .json(body)
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        ensure!(status.is_success(), "POST {path}: {status} {text}");
        Ok(serde_json::from_str(&text)?)
    }
}

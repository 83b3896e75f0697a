//! `phonghop-server admin ...`: the secretariat's commands, sent to a running server over its
//! HTTP API so that every connected app sees the change live.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use phonghop_protocol::http::{AddMemberRequest, CreateMeetingRequest, LoginRequest, LoginResponse};
use phonghop_protocol::{Command, Role};
use serde::de::DeserializeOwned;

#[derive(clap::Args)]
pub struct AdminArgs {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    server: String,
    #[arg(long)]
    username: String,
    #[arg(long, env = "PHONGHOP_PASSWORD")]
    password: String,
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// List the meetings of this account.
    Meetings,
    /// Print a meeting's agenda, documents and polls as JSON.
    Show {
        #[arg(long)]
        meeting: u32,
    },
    CreateMeeting {
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        location: String,
        #[arg(long, default_value = "")]
        starts_at: String,
    },
    /// Add an account to a meeting as chair, secretariat or delegate.
    AddMember {
        #[arg(long)]
        meeting: u32,
        #[arg(long)]
        user: String,
        #[arg(long)]
        role: String,
    },
    AddItem {
        #[arg(long)]
        meeting: u32,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    EditItem {
        #[arg(long)]
        meeting: u32,
        #[arg(long)]
        item: u32,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// New agenda order as comma-separated item ids, e.g. 3,1,2.
    Reorder {
        #[arg(long)]
        meeting: u32,
        #[arg(long, value_delimiter = ',')]
        items: Vec<u32>,
    },
    Upload {
        #[arg(long)]
        meeting: u32,
        #[arg(long)]
        item: u32,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        title: Option<String>,
    },
    OpenPoll {
        #[arg(long)]
        meeting: u32,
        #[arg(long)]
        item: u32,
        #[arg(long)]
        title: String,
    },
    ClosePoll {
        #[arg(long)]
        meeting: u32,
        #[arg(long)]
        poll: u32,
    },
}

struct Api {
    http: reqwest::Client,
    server: String,
    token: String,
}

impl Api {
    async fn finish<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            match serde_json::from_slice::<phonghop_protocol::ErrorFrame>(&body) {
                Ok(error) => bail!(
                    "{} / {} ({:?}{})",
                    error.message_vi,
                    error.message_en,
                    error.code,
                    if error.detail.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", error.detail)
                    }
                ),
                Err(_) => bail!("HTTP {status}: {}", String::from_utf8_lossy(&body)),
            }
        }
        serde_json::from_slice(&body).context("reading the server's answer")
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        Self::finish(
            self.http
                .get(format!("{}{path}", self.server))
                .bearer_auth(&self.token)
                .send()
                .await?,
        )
        .await
    }

    async fn post<T: DeserializeOwned>(&self, path: &str, body: &impl serde::Serialize) -> Result<T> {
        Self::finish(
            self.http
                .post(format!("{}{path}", self.server))
                .bearer_auth(&self.token)
                .json(body)
                .send()
                .await?,
        )
        .await
    }

    async fn command(&self, meeting: u32, command: Command) -> Result<serde_json::Value> {
        let id = format!(
            "cli-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_nanos()
        );
        self.post(
            &format!("/api/meetings/{meeting}/commands"),
            &serde_json::json!({ "id": id, "command": command }),
        )
        .await
    }
}

fn parse_role(text: &str) -> Result<Role> {
    match text {
        "chair" | "chu_toa" => Ok(Role::Chair),
        "secretariat" | "thu_ky" => Ok(Role::Secretariat),
        "delegate" | "dai_bieu" => Ok(Role::Delegate),
        other => bail!("unknown role {other:?}: use chair, secretariat or delegate"),
    }
}

pub async fn run(args: AdminArgs) -> Result<()> {
    let http = reqwest::Client::new();
    let server = args.server.trim_end_matches('/').to_owned();
    let login: LoginResponse = Api::finish(
        http.post(format!("{server}/api/login"))
            .json(&LoginRequest {
                username: args.username.clone(),
                password: args.password.clone(),
            })
            .send()
            .await
            .with_context(|| format!("connecting to {server}"))?,
    )
    .await?;
    let api = Api {
        http,
        server,
        token: login.token,
    };
    let answer: serde_json::Value = match args.action {
        Action::Meetings => api.get("/api/meetings").await?,
        Action::Show { meeting } => api.get(&format!("/api/meetings/{meeting}/snapshot")).await?,
        Action::CreateMeeting {
            title,
            location,
            starts_at,
        } => {
            api.post(
                "/api/meetings",
                &CreateMeetingRequest {
                    title,
                    location,
                    starts_at,
                },
            )
            .await?
        }
        Action::AddMember { meeting, user, role } => {
            api.post(
                &format!("/api/meetings/{meeting}/members"),
                &AddMemberRequest {
                    username: user,
                    role: parse_role(&role)?,
                },
            )
            .await?
        }
        Action::AddItem {
            meeting,
            title,
            description,
        } => {
            api.command(meeting, Command::AddAgendaItem { title, description })
                .await?
        }
        Action::EditItem {
            meeting,
            item,
            title,
            description,
        } => {
            api.command(
                meeting,
                Command::EditAgendaItem {
                    item_id: item,
                    title,
                    description,
                },
            )
            .await?
        }
        Action::Reorder { meeting, items } => api.command(meeting, Command::ReorderAgenda { item_ids: items }).await?,
        Action::Upload {
            meeting,
            item,
            file,
            title,
        } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut query = vec![("file_name", file_name)];
            query.extend(title.map(|title| ("title", title)));
            let response = api
                .http
                .post(format!("{}/api/meetings/{meeting}/items/{item}/documents", api.server))
                .bearer_auth(&api.token)
                .query(&query)
                .body(bytes)
                .send()
                .await?;
            Api::finish(response).await?
        }
        Action::OpenPoll { meeting, item, title } => {
            api.command(
                meeting,
                Command::OpenPoll {
                    item_id: item,
                    title,
                    rule: None,
                },
            )
            .await?
        }
        Action::ClosePoll { meeting, poll } => api.command(meeting, Command::ClosePoll { poll_id: poll }).await?,
    };
    println!("{}", serde_json::to_string_pretty(&answer)?);
    Ok(())
}

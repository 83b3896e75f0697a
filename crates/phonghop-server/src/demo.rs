//! The demo meeting: the councillors of a CSV file as accounts, and a Vietnamese agenda with
//! real documents, ingested through the same path as any upload.

use std::path::Path;

use anyhow::{Context, Result};
use phonghop_core::{Actor, Request};
use phonghop_protocol::{Command, MeetingEvent, MeetingId, MeetingKind, Role};
use phonghop_store::NewUser;

use crate::ingest::{ingest, Target, Upload};
use crate::passwords::hash_password;
use crate::writer::Origin;
use crate::App;

/// One row of `dai-bieu.csv`: code, full name, position, ward, role.
#[derive(Debug, Clone)]
pub struct Councillor {
    pub code: String,
    pub full_name: String,
    pub position: String,
    pub role: Role,
}

impl Councillor {
    /// Logins are the councillor code in lower case (`db003`).
    pub fn username(&self) -> String {
        self.code.to_lowercase()
    }
}

fn role_from_csv(text: &str) -> Result<Role> {
    crate::member_import::role_from_csv(text)
        .with_context(|| format!("unknown role {:?} (expected chu_toa, thu_ky or dai_bieu)", text.trim()))
}

/// Reads `ma_dai_bieu,ho_ten,chuc_vu,don_vi,vai_tro` rows.
pub fn read_councillors(csv_path: &Path) -> Result<Vec<Councillor>> {
    let mut reader = csv::Reader::from_path(csv_path).with_context(|| format!("reading {}", csv_path.display()))?;
    let mut councillors = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("row {} of {}", line + 2, csv_path.display()))?;
        let field = |index: usize| record.get(index).unwrap_or_default().trim().to_owned();
        councillors.push(Councillor {
            code: field(0),
            full_name: field(1),
            position: field(2),
            role: role_from_csv(&field(4)).with_context(|| format!("row {}", line + 2))?,
        });
    }
    Ok(councillors)
}

/// How the new accounts of an import get their password.
#[derive(Debug, Clone)]
pub enum InitialPassword {
    /// Hashed with argon2id for each account (its own salt).
    Plain(String),
    /// This argon2 PHC string for every account, as given (bulk imports and benchmarks).
    Hash(String),
}

/// Creates an account for each councillor that has none yet, in one transaction. With
/// `secretariat_creates_meetings` (the server's own import), a `thu_ky` row's account may create
/// meetings; an import through a meeting gives no such permission.
pub async fn import_councillors(
    app: &App,
    councillors: &[Councillor],
    password: &InitialPassword,
    secretariat_creates_meetings: bool,
) -> Result<usize> {
    let mut new_users = Vec::new();
    for councillor in councillors {
        if app.store.user_by_username(&councillor.username()).await?.is_some() {
            continue;
        }
        let password_hash = match password {
            InitialPassword::Plain(password) => {
                let password = password.clone();
                tokio::task::spawn_blocking(move || hash_password(&password)).await?
            }
            InitialPassword::Hash(phc) => phc.clone(),
        };
        new_users.push(NewUser {
            username: councillor.username(),
            full_name: councillor.full_name.clone(),
            position: councillor.position.clone(),
            password_hash,
            // A secretariat prepares meetings; the council office's powers over every meeting
            // are given apart (`phonghop-server set-permissions --admin`).
            is_admin: false,
            may_create_meetings: secretariat_creates_meetings && councillor.role == Role::Secretariat,
        });
    }
    app.store.create_users(&new_users).await?;
    Ok(new_users.len())
}

/// One item of the demo agenda: title, description, and its documents as (title, the files of
/// its revisions in `assets/demo/`, first to last).
type DemoItem = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static [&'static str])],
);

/// The agenda of the demo meeting.
const DEMO_AGENDA: &[DemoItem] = &[
    (
        "Khai mạc kỳ họp",
        "Chủ tọa tuyên bố lý do, giới thiệu đại biểu và khai mạc kỳ họp.",
        &[],
    ),
    (
        "Tờ trình về triển khai phòng họp không giấy",
        "Văn phòng HĐND trình bày tờ trình; đại biểu thảo luận.",
        &[("Tờ trình phòng họp không giấy", &["to-trinh-phong-hop-khong-giay.pdf"])],
    ),
    (
        "Dự thảo Nghị quyết về phòng họp không giấy",
        "Thảo luận và biểu quyết thông qua Nghị quyết.",
        &[(
            "Dự thảo Nghị quyết",
            &["du-thao-nghi-quyet-v1.pdf", "du-thao-nghi-quyet-v2.pdf"],
        )],
    ),
    (
        "Báo cáo tình hình kinh tế - xã hội",
        "Ủy ban nhân dân báo cáo; đại biểu chất vấn.",
        &[("Báo cáo kinh tế - xã hội", &["bao-cao-kinh-te-xa-hoi.pdf"])],
    ),
    ("Bế mạc kỳ họp", "", &[]),
];

/// Creates the demo meeting once (a database that already has meetings is left as it is),
/// prepared by the first secretariat councillor through the same decisions as any request.
/// Returns the meeting id.
pub async fn create_demo_meeting(app: &App, councillors: &[Councillor], documents_dir: &Path) -> Result<MeetingId> {
    if let Some(existing) = app.store.first_meeting_id().await? {
        return Ok(existing);
    }
    let secretariat = councillors
        .iter()
        .find(|councillor| councillor.role == Role::Secretariat)
        .context("the councillors file has no secretariat (thu_ky) to prepare the demo meeting")?;
    let office = app
        .store
        .user_by_username(&secretariat.username())
        .await?
        .with_context(|| format!("no account for {}", secretariat.code))?;
    let office = Actor {
        user: office.id,
        name: office.full_name.clone(),
        is_admin: true,
    };
    let meeting = app
        .store
        .create_meeting(
            "Kỳ họp thứ Mười hai, Hội đồng nhân dân xã Quyết Thắng",
            "Hội trường Ủy ban nhân dân xã",
            "2026-12-01 08:00",
            MeetingKind::CouncilSitting,
        )
        .await?;
    let submit = |request| async {
        app.writer
            .submit(meeting.id, office.clone(), Origin::server(), None, request)
            .await
            .map_err(|error| anyhow::anyhow!("{}", error.0))
    };
    for councillor in councillors {
        let user = app
            .store
            .user_by_username(&councillor.username())
            .await?
            .with_context(|| format!("no account for {}", councillor.code))?;
        submit(Request::SetMember {
            user: user.id,
            role: councillor.role,
        })
        .await?;
    }
    for (title, description, documents) in DEMO_AGENDA {
        let add = Command::AddAgendaItem {
            parent: None,
            title: (*title).to_owned(),
            description: (*description).to_owned(),
        };
        let done = submit(Request::Command(add)).await?;
        let Some((_, MeetingEvent::AgendaItemAdded { item })) = done.events.into_iter().next() else {
            anyhow::bail!("adding the agenda item {title:?} logged no item");
        };
        for (document_title, revisions) in *documents {
            let mut document_id = None;
            for file_name in *revisions {
                let path = documents_dir.join(file_name);
                let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                let target = match document_id {
                    None => Target::NewDocument {
                        item_id: item.id,
                        title: (*document_title).to_owned(),
                    },
                    Some(document_id) => Target::Revision { document_id },
                };
                let upload = Upload {
                    meeting_id: meeting.id,
                    target,
                    file_name: (*file_name).to_owned(),
                    upload_id: None,
                };
                let taken = ingest(app, office.clone(), Origin::server(), upload, &bytes)
                    .await
                    .map_err(|err| anyhow::anyhow!("{file_name}: {}", err.0))?;
                document_id = Some(taken.document.id);
            }
        }
    }
    Ok(meeting.id)
}

//! `POST /api/meetings/{id}/members/import`: the secretariat brings a councillors file
//! (`dai-bieu.csv`) into a meeting. Every line is checked and previewed first; a commit saves
//! nothing while any line has a problem, then creates the missing accounts and sets each
//! member's role through the decider, like `POST …/members`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use phonghop_core::Request;
use phonghop_protocol::http::{ImportMembersRequest, ImportMembersResponse, ImportOutcome, ImportProblem, ImportRow};
use phonghop_protocol::{ErrorCode, MeetingId, Role};

use crate::api::parse_json;
use crate::auth::AuthUser;
use crate::demo::{import_councillors, Councillor, InitialPassword};
use crate::error::{ApiError, ApiResult};
use crate::App;

/// The header a councillors file starts with.
pub const HEADER: [&str; 5] = ["ma_dai_bieu", "ho_ten", "chuc_vu", "don_vi", "vai_tro"];
/// At most this many councillors in one file.
pub const MAX_ROWS: usize = 2_000;
/// The shortest initial password an import accepts.
pub const MIN_PASSWORD: usize = 8;

pub async fn import(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
    body: Bytes,
) -> ApiResult<Json<ImportMembersResponse>> {
    crate::api::may_manage_members(
        &app,
        &user,
        meeting_id,
        "only the meeting's secretariat or the council office imports members",
    )
    .await?;
    let request: ImportMembersRequest = parse_json(&body)?;
    let mut rows = read_rows(&request.csv)?;
    for row in rows.iter_mut().filter(|row| row.problem.is_none()) {
        let role = row.role.expect("a line without a problem has a role");
        match app.store.user_by_username(&row.username).await? {
            None => row.outcome = ImportOutcome::NewAccount,
            Some(account) => {
                if account.full_name != row.full_name {
                    row.existing_name = Some(account.full_name.clone());
                }
                row.outcome = match app.store.member_role(meeting_id, account.id).await? {
                    None => ImportOutcome::NewMember,
                    Some(now) if now == role => ImportOutcome::Unchanged,
                    Some(_) => ImportOutcome::RoleChanged,
                };
            }
        }
    }
    let problems = rows.iter().filter(|row| row.problem.is_some()).count() as u32;
    let mut response = ImportMembersResponse {
        rows,
        problems,
        committed: false,
    };
    if !request.commit || problems > 0 {
        return Ok(Json(response));
    }
    let creates = response.rows.iter().any(|row| row.outcome == ImportOutcome::NewAccount);
    if creates && request.initial_password.chars().count() < MIN_PASSWORD {
        return Err(ApiError::new(
            ErrorCode::InvalidCommand,
            format!("the initial password of the new accounts must have at least {MIN_PASSWORD} characters"),
        ));
    }
    let councillors: Vec<Councillor> = response
        .rows
        .iter()
        .filter(|row| row.outcome == ImportOutcome::NewAccount)
        .map(|row| Councillor {
            code: row.username.clone(),
            full_name: row.full_name.clone(),
            position: row.position.clone(),
            role: row.role.expect("checked"),
        })
        .collect();
    let password = InitialPassword::Plain(request.initial_password.clone());
    import_councillors(&app, &councillors, &password, false)
        .await
        .map_err(|error| ApiError::new(ErrorCode::Internal, format!("creating the accounts: {error:#}")))?;
    if !councillors.is_empty() {
        let usernames: Vec<&str> = councillors.iter().map(|councillor| councillor.code.as_str()).collect();
        let detail = serde_json::json!({ "usernames": usernames });
        crate::audit::record_by(&app, &user, Some(meeting_id), "accounts_created", detail).await?;
    }
    for row in &response.rows {
        if row.outcome == ImportOutcome::Unchanged {
            continue;
        }
        let account = app
            .store
            .user_by_username(&row.username)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "an imported account is missing"))?;
        let set = Request::SetMember {
            user: account.id,
            role: row.role.expect("checked"),
        };
        app.writer
            .submit(meeting_id, user.actor(), user.origin(), None, set)
            .await?;
    }
    response.committed = true;
    Ok(Json(response))
}

/// Reads and checks every line of a councillors file. A file that is not one (no header, more
/// than [`MAX_ROWS`] lines, not CSV at all) is refused whole with `invalid_command`.
pub fn read_rows(csv_text: &str) -> ApiResult<Vec<ImportRow>> {
    let refuse = |detail: String| ApiError::new(ErrorCode::InvalidCommand, detail);
    let text = csv_text.strip_prefix('\u{feff}').unwrap_or(csv_text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = records
        .next()
        .transpose()
        .map_err(|error| refuse(format!("the file is not CSV: {error}")))?
        .ok_or_else(|| refuse("the file is empty".into()))?;
    let header: Vec<&str> = header.iter().map(str::trim).collect();
    if header != HEADER {
        return Err(refuse(format!("the first line must be {}", HEADER.join(","))));
    }
    let mut rows = Vec::new();
    let mut first_line_of: HashMap<String, u32> = HashMap::new();
    for record in records {
        let record = record.map_err(|error| refuse(format!("the file is not CSV: {error}")))?;
        // Counted from the record's first byte: the csv crate's own count, and its record start,
        // come before the blank lines it skipped.
        let mut start = record.position().map_or(0, |at| at.byte() as usize).min(text.len());
        while matches!(text.as_bytes().get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        let line = text.as_bytes()[..start].iter().filter(|&&byte| byte == b'\n').count() as u32 + 1;
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(refuse(format!("the file has more than {MAX_ROWS} councillors")));
        }
        let field = |index: usize| record.get(index).unwrap_or_default().trim().to_owned();
        let username = field(0).to_lowercase();
        let role = role_from_csv(&field(4));
        let mut row = ImportRow {
            line,
            username: username.clone(),
            full_name: field(1),
            position: field(2),
            role,
            outcome: ImportOutcome::Problem,
            problem: None,
            existing_name: None,
        };
        row.problem = if record.len() != HEADER.len() {
            Some(ImportProblem::WrongColumns {
                found: record.len() as u32,
            })
        } else if username.is_empty() {
            Some(ImportProblem::MissingCode)
        } else if username.chars().count() > 64
            || !username
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
        {
            Some(ImportProblem::BadCode)
        } else if row.full_name.is_empty() {
            Some(ImportProblem::MissingName)
        } else if phonghop_core::text::title(&row.full_name).is_err()
            || (!row.position.is_empty() && phonghop_core::text::title(&row.position).is_err())
        {
            Some(ImportProblem::BadText)
        } else if role.is_none() {
            Some(ImportProblem::UnknownRole { given: field(4) })
        } else if let Some(&first_line) = first_line_of.get(&username) {
            Some(ImportProblem::DuplicateCode { first_line })
        } else {
            None
        };
        if row.problem.is_none() {
            first_line_of.insert(username, line);
            row.full_name = phonghop_core::text::title(&row.full_name).expect("checked above");
            if !row.position.is_empty() {
                row.position = phonghop_core::text::title(&row.position).expect("checked above");
            }
            // Until the accounts are looked up.
            row.outcome = ImportOutcome::NewAccount;
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The role a `vai_tro` names: `chu_toa`, `thu_ky` or `dai_bieu`.
pub fn role_from_csv(text: &str) -> Option<Role> {
    match text.trim() {
        "chu_toa" => Some(Role::Chair),
        "thu_ky" => Some(Role::Secretariat),
        "dai_bieu" => Some(Role::Delegate),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_line_is_told_apart() {
        let csv = "\u{feff}ma_dai_bieu,ho_ten,chuc_vu,don_vi,vai_tro\n\
                   DB001,Nguyễn Văn An,Chủ tịch HĐND,Phường 1,chu_toa\n\
                   DB002,Trần Thị Bình,,Phường 2\n\
                   ,Lê Văn Cường,,Phường 3,dai_bieu\n\
                   DB 4,Phạm Thị Dung,,Phường 4,dai_bieu\n\
                   DB005,,,Phường 5,dai_bieu\n\
                   DB006,Hoàng Văn Em,,Phường 6,khach\n\
                   db001,Nguyễn Văn An,,Phường 1,dai_bieu\n\
                   \n\
                   DB007,\"Vũ Thị Giang\",\"Đại biểu, Tổ 3\",Phường 7,thu_ky\n";
        let rows = read_rows(csv).unwrap();
        let problems: Vec<(u32, Option<ImportProblem>)> =
            rows.iter().map(|row| (row.line, row.problem.clone())).collect();
        assert_eq!(
            problems,
            vec![
                (2, None),
                (3, Some(ImportProblem::WrongColumns { found: 4 })),
                (4, Some(ImportProblem::MissingCode)),
                (5, Some(ImportProblem::BadCode)),
                (6, Some(ImportProblem::MissingName)),
                (7, Some(ImportProblem::UnknownRole { given: "khach".into() })),
                (8, Some(ImportProblem::DuplicateCode { first_line: 2 })),
                (10, None),
            ]
        );
        assert_eq!(rows[0].username, "db001");
        assert_eq!(rows[0].role, Some(Role::Chair));
        assert_eq!(rows[7].position, "Đại biểu, Tổ 3");
        assert_eq!(rows[7].role, Some(Role::Secretariat));
    }

    #[test]
    fn a_file_that_is_not_a_councillors_file_is_refused_whole() {
        for csv in [
            "",
            "code,name\nDB001,An\n",
            "ma_dai_bieu;ho_ten;chuc_vu;don_vi;vai_tro\n",
        ] {
            let error = read_rows(csv).unwrap_err();
            assert_eq!(error.0.code, ErrorCode::InvalidCommand, "{csv:?}");
        }
        let many = format!(
            "{}\n{}",
            HEADER.join(","),
            (0..=MAX_ROWS)
                .map(|n| format!("DB{n},Tên {n},,,dai_bieu\n"))
                .collect::<String>()
        );
        assert!(read_rows(&many).is_err());
    }
}

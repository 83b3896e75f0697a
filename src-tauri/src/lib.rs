//! The desktop app: a Tauri 2 shell over [`phonghop_client::Seat`] and
//! [`phonghop_pdf::PageServer`].
//!
//! Layout:
//! - [`commands`]: the commands the webview may invoke, each a few lines over the seat.
//! - [`annotated_copy`]: where "my annotated copy" of a document is written and under what name.
//! - [`pages`]: the `phonghop://` scheme serving rendered PDF pages to the webview.
//! - [`launch`]: command-line options (`--server`, `--username`, `--data-dir`, `--auto-login`,
//!   `--help`).
//! - [`startup`]: the one line on standard output when the agenda first shows.
//! - [`webkit`]: WebKitGTK settings made before it starts.
//!
//! **Architecture invariant:** no business logic lives here; the webview gets JSON and page
//! images, nothing else (no fs, http or shell plugins).

pub mod annotated_copy;
pub mod commands;
pub mod display;
pub mod launch;
pub mod pages;
pub mod startup;
pub mod webkit;

use std::sync::Arc;

use tauri::{Emitter, Manager};

/// What every command and the page scheme share.
pub struct Shared {
    pub seat: phonghop_client::Seat,
    pub pages: Option<phonghop_pdf::PageServer>,
    pub launch: launch::LaunchOptions,
    pub startup: startup::StartupClock,
}

pub fn run() {
    let startup = startup::StartupClock::start();
    let launch = match launch::LaunchOptions::parse(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(launch::Launch::Run(options)) => options,
        Ok(launch::Launch::Help) => {
            print!("{}", launch::USAGE);
            // Where the documents' renderer comes from (an installed package brings its own).
            match phonghop_pdf::locate_library() {
                Ok(found) => println!("\nPDFium: {}", found.canonicalize().unwrap_or(found).display()),
                Err(error) => println!("\nPDFium: {error}"),
            }
            return;
        }
        Err(error) => {
            eprintln!("phonghop-app: {error}");
            eprint!("{}", launch::USAGE);
            std::process::exit(2);
        }
    };
    webkit::prefer_cheap_rendering_without_gpu();
    if !display::available() {
        eprint!("{}", display::NO_DISPLAY);
        std::process::exit(1);
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    run_app(tauri::Builder::default(), launch, startup)
}

/// Builds the app on `builder`, so the same setup runs against Tauri's mock runtime in tests.
pub fn run_app(builder: tauri::Builder<tauri::Wry>, launch: launch::LaunchOptions, startup: startup::StartupClock) {
    builder
        .setup(move |app| {
            let data_dir = match &launch.data_dir {
                Some(dir) => dir.clone(),
                None => app.path().app_data_dir()?,
            };
            let pages = match phonghop_pdf::PageServer::start() {
                Ok(pages) => Some(pages),
                Err(error) => {
                    tracing::error!(%error, "PDFium is not available: documents cannot be shown");
                    None
                }
            };
            let seat = phonghop_client::Seat::new(&data_dir.join("cache"));
            if launch.keep_documents_days > 0 {
                // Before anything opens a meeting: a meeting left too long is not shown at all.
                match tauri::async_runtime::block_on(seat.expire_kept_meetings(launch.keep_documents_days)) {
                    Ok(expired) => {
                        for meeting in expired {
                            tracing::info!(meeting = %meeting.meeting_id, server = %meeting.server, bytes = meeting.bytes, "the documents of a meeting unused for {} days were removed", launch.keep_documents_days);
                        }
                    }
                    Err(error) => tracing::warn!(%error, "old meetings' documents could not be removed"),
                }
            }
            let shared = Arc::new(Shared {
                seat,
                pages,
                launch,
                startup,
            });
            app.manage(shared);
            Ok(())
        })
        .register_asynchronous_uri_scheme_protocol("phonghop", pages::handle)
        .invoke_handler(tauri::generate_handler![
            commands::app_defaults,
            commands::auto_login,
            commands::agenda_shown,
            commands::login,
            commands::probe_server,
            commands::pin_server,
            commands::pinned_fingerprint,
            commands::logout,
            commands::resume_saved,
            commands::vault_owner,
            commands::unlock,
            commands::open_meeting,
            commands::mirror,
            commands::open_document,
            commands::page_text,
            commands::annotations,
            commands::save_annotation,
            commands::delete_annotation,
            commands::unplaced_annotations,
            commands::export_annotated,
            commands::search,
            commands::read_receipts,
            commands::attendance,
            commands::cancel_poll,
            commands::check_in,
            commands::set_attendance,
            commands::set_meeting_quorum,
            commands::packet,
            commands::kept_meetings,
            commands::remove_kept_meeting,
            commands::cast_ballot,
            commands::cast_marks,
            commands::set_current_item,
            commands::request_to_speak,
            commands::withdraw_speech_request,
            commands::order_speakers,
            commands::grant_floor,
            commands::end_speech,
            commands::set_presenter,
            commands::present_page,
            commands::stop_presenting,
            commands::send_opinion,
            commands::list_opinions,
            commands::save_opinions_csv,
            commands::audit_page,
            commands::list_devices,
            commands::revoke_device,
            commands::save_audit_csv,
            commands::open_poll,
            commands::close_poll,
            commands::set_rule_preset,
            commands::save_poll_record,
            commands::remove_rule_preset,
            commands::create_meeting,
            commands::send_command,
            commands::import_members,
            commands::set_member,
            commands::upload_document,
            commands::hall_link,
            commands::revoke_hall_links,
            commands::confirm_password,
        ])
        .run(tauri::generate_context!())
        .expect("the desktop app failed to start");
}

/// Forwards every change of the mirror to the webview as a `mirror-changed` event, and keeps
/// the meeting's packet on the laptop.
pub(crate) fn forward_mirror(
    app: tauri::AppHandle,
    shared: Arc<Shared>,
    mut mirror: tokio::sync::watch::Receiver<phonghop_client::Mirror>,
) {
    keep_meeting_on_laptop(app.clone(), shared.clone(), mirror.clone());
    tauri::async_runtime::spawn(async move {
        while mirror.changed().await.is_ok() {
            if mirror.borrow().device_revoked {
                // The secretariat revoked this laptop: nothing of the meetings stays on it.
                shared.seat.forget_revoked_laptop().await;
                let revoked = phonghop_client::ClientError::Server(phonghop_protocol::ErrorFrame::new(
                    phonghop_protocol::ErrorCode::DeviceRevoked,
                    "",
                ));
                let _ = app.emit("device-revoked", phonghop_client::UserFacingError::from(&revoked));
                return;
            }
            if let Some(view) = shared.seat.mirror_view() {
                if app.emit("mirror-changed", view).is_err() {
                    return;
                }
            }
            // Kept so the app can start again without the server.
            if let Err(error) = shared.seat.keep_mirror().await {
                tracing::debug!(%error, "the meeting's state was not kept on the laptop");
            }
        }
    });
}

/// Carries the reader's annotations onto new revisions (PDFium tells where the words stand) and
/// tells the webview when any moved, as `annotations-carried`.
async fn carry_annotations(app: &tauri::AppHandle, shared: &Shared) {
    let Some(pages) = shared.pages.as_ref() else {
        return;
    };
    match shared.seat.carry_annotations(&pages::Geometry(pages)).await {
        Ok(carried) if carried.placed + carried.unplaced > 0 => {
            let _ = app.emit("annotations-carried", carried.placed + carried.unplaced);
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "annotations not carried onto the new revision"),
    }
}

/// Brings every document of the meeting onto the laptop as it arrives (the packet, with its
/// progress sent as `packet-changed`), so it is readable and searchable without the server;
/// one round at a time, after each change of the mirror (a new document, the server back).
fn keep_meeting_on_laptop(
    app: tauri::AppHandle,
    shared: Arc<Shared>,
    mut mirror: tokio::sync::watch::Receiver<phonghop_client::Mirror>,
) {
    tauri::async_runtime::spawn(async move {
        loop {
            let mut tell = |view: &phonghop_client::packet::PacketView| {
                let _ = app.emit("packet-changed", view);
            };
            if let Err(error) = shared.seat.keep_meeting_on_laptop(&mut tell).await {
                tracing::debug!(%error, "the meeting's packet is not kept for now");
            }
            carry_annotations(&app, &shared).await;
            if mirror.changed().await.is_err() {
                return;
            }
        }
    });
}

//! The hot folder (`serve --watch DIR --watch-as USERNAME`): the secretariat drops Word and PDF
//! files into a shared folder and the server takes them in, as that account, through the same
//! path as an HTTP upload ([`crate::ingest::ingest`]).
//!
//! Layout: `DIR/<meeting>/<agenda item>/<file>`. A meeting folder starts with the meeting's id
//! (`1`, `1 - Kỳ họp thứ mười`); an item folder with the item's id (`3 - Dự thảo Nghị quyết`), or
//! has no id and names a new item, created once (the folder name is remembered in the store).
//! A file is known by its meeting, item and name: the same name again with other bytes is the
//! next revision of the document first made from it; the same bytes again change nothing.
//!
//! How a file is taken: an inotify event or the rescan (at start and every few seconds; it also
//! covers missed events and network shares without events) puts it among the files settling; it is
//! taken once its size and modification time have stayed the same for the settle period, and only
//! if reading it did not see it change. One file at a time, in the order they settled. What was
//! taken is recorded in the store (`hot_folder_files`), so a restart takes nothing again; each
//! upload goes under an id made of the file's hash, its place and the revision it follows, so a
//! crash between the commit and that record does not make a second document either.
//!
//! A file that cannot be taken gets `<file>.loi.txt` beside it, saying why in Vietnamese and
//! English, and a warning in the log; it is tried again when it changes (or, when the reason lies
//! outside the file — no such meeting or item, no permission —, at each rescan). Once it is taken
//! the note is removed. Hidden files, Office lock files (`~$…`), `*.tmp`, `*.part` and the notes
//! themselves are never taken.
//!
//! **Invariant:** the watcher never stops the server: every failure is logged and the watcher goes
//! on; a bug that panics restarts it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, UNIX_EPOCH};

use phonghop_core::{Actor, Request};
use phonghop_protocol::{Command, CommandResult, ErrorCode, ItemId, MeetingEvent, MeetingId, Sha256};
use phonghop_store::{HotFolderFile, Receipt, StoreError};
use sha2::Digest;
use tokio::sync::Notify;

use crate::error::{ApiError, ApiResult};
use crate::ingest::{Target, Upload};
use crate::writer::{Origin, LOCAL};
use crate::App;

/// What `serve --watch` was given.
#[derive(Debug, Clone)]
pub struct HotFolderConfig {
    /// The watched folder.
    pub root: PathBuf,
    /// The account the hot folder acts as (`--watch-as`).
    pub username: String,
    /// How long a file's size and modification time must stay the same before it is taken.
    pub settle: Duration,
    /// How often the whole folder is looked at again, events or not.
    pub rescan: Duration,
}

impl HotFolderConfig {
    pub fn new(root: PathBuf, username: String) -> HotFolderConfig {
        HotFolderConfig {
            root,
            username,
            settle: Duration::from_millis(1500),
            rescan: Duration::from_secs(5),
        }
    }
}

/// The note beside a file that was not taken: `<file>.loi.txt` ("lỗi", error).
pub const NOTE_SUFFIX: &str = ".loi.txt";
/// The first line of every note, so a note whose file is gone can be told from a person's file.
const NOTE_HEADER: &str = "phonghop: không nhận tệp này / this file was not taken";
/// After a bug stopped the watcher, it starts again after this.
const RESTART_PAUSE: Duration = Duration::from_secs(5);

/// How a folder is named: by an id at its start, or (an agenda item folder only) a new item's title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderName<'a> {
    /// `3`, `3 - Dự thảo`, `3-Dự thảo`, `3_Dự thảo`, `3 Dự thảo`.
    Id(u32),
    /// Anything else, e.g. `Dự thảo Nghị quyết` or `3.Dự thảo`.
    Title(&'a str),
}

/// Reads a meeting or agenda item folder's name: a number, then nothing, or ` - `, `-`, `_` or a
/// space and any text.
pub fn parse_folder_name(name: &str) -> FolderName<'_> {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &name[digits..];
    let separated = rest.is_empty() || rest.starts_with([' ', '-', '_']);
    match name[..digits].parse::<u32>() {
        Ok(id) if digits > 0 && separated => FolderName::Id(id),
        _ => FolderName::Title(name),
    }
}

/// Whether a file is never taken: hidden files (and LibreOffice's `.~lock…#`), Office lock files
/// `~$…`, files being written by copy tools (`*.tmp`, `*.part`), the notes this module writes,
/// and what file browsers leave behind.
pub fn is_ignored(file_name: &str) -> bool {
    let lower = file_name.to_lowercase();
    file_name.starts_with('.')
        || file_name.starts_with("~$")
        || lower.ends_with(".tmp")
        || lower.ends_with(".part")
        || lower.ends_with(NOTE_SUFFIX)
        || lower == "thumbs.db"
        || lower == "desktop.ini"
}

/// Where a file lies below the watched folder, by the names of its folders.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    meeting: MeetingId,
    /// `None`: the file lies in the meeting folder itself, not in an item's.
    item_folder: Option<String>,
    file_name: String,
}

/// The place of `relative` (a path below the watched folder), if it is a file the hot folder
/// looks at: in a meeting folder (or one of its item folders), not hidden, not ignored.
fn place_of(relative: &Path) -> Option<Place> {
    let parts: Vec<&str> = relative
        .components()
        .map(|part| part.as_os_str().to_str())
        .collect::<Option<_>>()?;
    let (meeting_folder, item_folder, file_name) = match parts.as_slice() {
        [meeting, file] => (*meeting, None, *file),
        [meeting, item, file] if !item.starts_with('.') => (*meeting, Some(*item), *file),
        _ => return None,
    };
    let FolderName::Id(meeting) = parse_folder_name(meeting_folder) else {
        return None;
    };
    (!is_ignored(file_name)).then(|| Place {
        meeting: MeetingId(meeting),
        item_folder: item_folder.map(str::to_owned),
        file_name: file_name.to_owned(),
    })
}

/// A file's size and modification time: while they change, it is being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    size: u64,
    mtime_ns: i64,
}

impl Stamp {
    fn of(metadata: &std::fs::Metadata) -> Stamp {
        let mtime_ns = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |since| since.as_nanos() as i64);
        Stamp {
            size: metadata.len(),
            mtime_ns,
        }
    }
}

/// The stamp of a regular file, `None` if it is gone or not a file.
async fn stamp_of(path: &Path) -> Option<Stamp> {
    let metadata = tokio::fs::metadata(path).await.ok()?;
    metadata.is_file().then(|| Stamp::of(&metadata))
}

/// A file seen changing: taken once its stamp stayed the same for the settle period.
#[derive(Debug, Clone, Copy)]
struct Settling {
    stamp: Stamp,
    since: Instant,
}

/// A file not taken, and why (the note written beside it).
#[derive(Debug, Clone)]
struct Refused {
    stamp: Stamp,
    /// The reason lies outside the file (no such meeting or item, no permission, the server
    /// busy): try again at each rescan, not only when the file changes.
    retry: bool,
    note: String,
}

/// A file of a meeting's item, as the store keys what was taken.
type FileKey = (MeetingId, ItemId, String);

/// What taking a file came to.
enum Outcome {
    /// A new document or revision, the same bytes as last taken from that name, or nothing to
    /// take: not to be looked at again while it stays so.
    Done,
    /// The file changed while it was read: it settles again.
    Changed,
}

/// Resolves `--watch-as`: the account must exist (its role is checked per meeting).
pub async fn watcher_actor(app: &App, username: &str) -> anyhow::Result<Actor> {
    let user = app
        .store
        .user_by_username(username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("--watch-as {username}: there is no such account"))?;
    Ok(user.actor())
}

/// Starts watching `config.root` as `actor` in a task of its own, restarted after a panic.
pub fn spawn(app: App, config: HotFolderConfig, actor: Actor) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let (app, config, actor) = (app.clone(), config.clone(), actor.clone());
            // Started inside the task, so a panic anywhere in it is caught here.
            let watching = tokio::spawn(async move { Watcher::start(app, config, actor).run().await });
            match watching.await {
                Ok(()) => return,
                Err(error) => {
                    tracing::error!(%error, "the hot folder stopped by a bug; it starts again in {RESTART_PAUSE:?}");
                    tokio::time::sleep(RESTART_PAUSE).await;
                }
            }
        }
    })
}

/// Paths inotify reported since they were last looked at, and a wake-up for the watcher.
#[derive(Default)]
struct Reported {
    paths: Mutex<HashSet<PathBuf>>,
    wake: Notify,
}

struct Watcher {
    app: App,
    config: HotFolderConfig,
    actor: Actor,
    /// Files taken, by meeting, item and name (as in the store).
    taken: HashMap<FileKey, HotFolderFile>,
    /// Stamps of files as last taken or recognised: a file still so is not read again.
    seen: HashMap<PathBuf, Stamp>,
    refused: HashMap<PathBuf, Refused>,
    settling: HashMap<PathBuf, Settling>,
    reported: Arc<Reported>,
    /// Kept alive while watching; `None` if inotify could not be used (rescans still run).
    _events: Option<notify::RecommendedWatcher>,
}

impl Watcher {
    /// The folder as the audit trail names it, with the account it acts as.
    fn origin(&self) -> Origin {
        Origin {
            who: format!("thư mục nhận / hot folder: {}", self.actor.name),
            address: LOCAL.to_owned(),
        }
    }

    fn start(app: App, config: HotFolderConfig, actor: Actor) -> Watcher {
        let reported = Arc::new(Reported::default());
        let events = match watch_events(&config.root, Arc::clone(&reported)) {
            Ok(watcher) => Some(watcher),
            Err(error) => {
                tracing::warn!(folder = %config.root.display(), %error, "hot folder: no file events; rescanning only");
                None
            }
        };
        Watcher {
            app,
            config,
            actor,
            taken: HashMap::new(),
            seen: HashMap::new(),
            refused: HashMap::new(),
            settling: HashMap::new(),
            reported,
            _events: events,
        }
    }

    async fn run(mut self) {
        tracing::info!(folder = %self.config.root.display(), user = %self.config.username, "hot folder: watching");
        self.load_taken().await;
        let reported = Arc::clone(&self.reported);
        let mut rescan = tokio::time::interval(self.config.rescan);
        rescan.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let settled_at = self
                .settling
                .values()
                .map(|settling| settling.since + self.config.settle)
                .min();
            tokio::select! {
                // The first tick is at once: the folder as it was while the server was down.
                _ = rescan.tick() => self.rescan().await,
                _ = reported.wake.notified() => self.look_at_reported().await,
                _ = tokio::time::sleep_until(settled_at.unwrap_or_else(Instant::now).into()), if settled_at.is_some() => {}
            }
            self.take_settled().await;
        }
    }

    /// What was taken before, from the store (retried until the store answers).
    async fn load_taken(&mut self) {
        let files = loop {
            match self.app.store.hot_folder_files().await {
                Ok(files) => break files,
                Err(error) => {
                    tracing::error!(%error, "hot folder: reading what was taken failed; trying again");
                    tokio::time::sleep(self.config.rescan).await;
                }
            }
        };
        for file in files {
            self.remember(file);
        }
    }

    fn remember(&mut self, file: HotFolderFile) {
        let stamp = Stamp {
            size: file.size,
            mtime_ns: file.mtime_ns,
        };
        self.seen.insert(self.config.root.join(&file.path), stamp);
        self.taken
            .insert((file.meeting_id, file.item_id, file.file_name.clone()), file);
    }

    /// A file found with `stamp`: unless it is as last taken, or refused and unchanged, it
    /// (again) starts settling.
    fn found(&mut self, path: PathBuf, stamp: Stamp, rescanning: bool) {
        if self.seen.get(&path) == Some(&stamp) {
            return;
        }
        if let Some(refused) = self.refused.get(&path) {
            if refused.stamp == stamp && !(refused.retry && rescanning) {
                return;
            }
        }
        match self.settling.get(&path) {
            Some(settling) if settling.stamp == stamp => {}
            _ => {
                self.settling.insert(
                    path,
                    Settling {
                        stamp,
                        since: Instant::now(),
                    },
                );
            }
        }
    }

    async fn rescan(&mut self) {
        let root = self.config.root.clone();
        let walked = match tokio::task::spawn_blocking(move || walk(&root)).await {
            Ok(walked) => walked,
            Err(error) => {
                tracing::error!(%error, "hot folder: the rescan failed");
                return;
            }
        };
        let present: HashSet<&PathBuf> = walked.files.iter().map(|(path, _)| path).collect();
        // Forget what is gone (a removed folder just stops producing files).
        self.seen.retain(|path, _| present.contains(path));
        self.refused.retain(|path, _| present.contains(path));
        self.settling.retain(|path, _| present.contains(path));
        for (path, stamp) in walked.files {
            self.found(path, stamp, true);
        }
        for note in walked.orphan_notes {
            remove_note_file(&note);
        }
    }

    async fn look_at_reported(&mut self) {
        let paths = std::mem::take(&mut *self.reported.paths.lock().expect("hot folder events lock"));
        let mut folder_changed = false;
        for path in paths {
            let Ok(relative) = path.strip_prefix(&self.config.root) else {
                continue;
            };
            match tokio::fs::metadata(&path).await {
                Ok(metadata) if metadata.is_dir() => folder_changed = true,
                Ok(metadata) if metadata.is_file() && place_of(relative).is_some() => {
                    self.found(path, Stamp::of(&metadata), false)
                }
                Ok(_) => {}
                // Removed, or renamed away: a rename's new name is reported too.
                Err(_) => {
                    self.settling.remove(&path);
                }
            }
        }
        // A folder created, renamed or moved in: its files may have come before its watch.
        if folder_changed {
            self.rescan().await;
        }
    }

    /// Takes every file settled by now, in the order they settled.
    async fn take_settled(&mut self) {
        let now = Instant::now();
        let mut due: Vec<(PathBuf, Settling)> = self
            .settling
            .iter()
            .filter(|(_, settling)| settling.since + self.config.settle <= now)
            .map(|(path, settling)| (path.clone(), *settling))
            .collect();
        due.sort_by_key(|(_, settling)| settling.since);
        for (path, settled) in due {
            self.settling.remove(&path);
            match stamp_of(&path).await {
                Some(stamp) if stamp == settled.stamp => self.take(path, stamp).await,
                Some(stamp) => self.found(path, stamp, false),
                None => {}
            }
        }
    }

    async fn take(&mut self, path: PathBuf, stamp: Stamp) {
        match self.try_take(&path, stamp).await {
            Ok(Outcome::Done) => {
                self.refused.remove(&path);
                self.seen.insert(path.clone(), stamp);
                remove_note_file(&note_path(&path));
            }
            Ok(Outcome::Changed) => {
                if let Some(stamp) = stamp_of(&path).await {
                    self.found(path, stamp, false);
                }
            }
            Err(error) => self.refuse(path, stamp, &error),
        }
    }

    async fn try_take(&mut self, path: &Path, stamp: Stamp) -> ApiResult<Outcome> {
        let relative = path.strip_prefix(&self.config.root).unwrap_or(path);
        let Some(place) = place_of(relative) else {
            return Ok(Outcome::Done);
        };
        let meeting = place.meeting;
        let model = match self.app.store.load(meeting).await {
            Ok(loaded) => loaded.model,
            Err(StoreError::NotFound(_)) => {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("không có cuộc họp {meeting} / there is no meeting {meeting}"),
                ))
            }
            Err(error) => return Err(error.into()),
        };
        crate::ingest::may_upload(model.role_of(self.actor.user), &self.actor).map_err(|error| {
            let user = &self.config.username;
            ApiError::new(
                error.code(),
                format!(
                    "thư mục theo dõi gửi tài liệu với tài khoản {user} (--watch-as), không phải thư ký hay chủ tọa \
                     của cuộc họp {meeting} / the hot folder acts as {user} (--watch-as), who is not the \
                     secretariat or the chair of meeting {meeting}"
                ),
            )
        })?;
        let Some(item_folder) = &place.item_folder else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "tệp phải nằm trong thư mục của một mục chương trình: <cuộc họp>/<mục>/<tệp> / a file goes in \
                 the folder of an agenda item: <meeting>/<item>/<file>",
            ));
        };
        let item = match parse_folder_name(item_folder) {
            FolderName::Id(item) if model.has_item(ItemId(item)) => ItemId(item),
            FolderName::Id(item) => {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("cuộc họp {meeting} không có mục {item} / meeting {meeting} has no agenda item {item}"),
                ))
            }
            FolderName::Title(_) => self.item_for_folder(meeting, item_folder, &model).await?,
        };
        if stamp.size > self.app.config.max_upload_bytes as u64 {
            let limit = self.app.config.max_upload_bytes / (1024 * 1024);
            return Err(ApiError::new(
                ErrorCode::DocumentTooLarge,
                format!("the limit is {limit} MiB"),
            ));
        }
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|error| ApiError::new(ErrorCode::Internal, format!("reading the file: {error}")))?;
        if stamp_of(path).await != Some(stamp) || bytes.len() as u64 != stamp.size {
            return Ok(Outcome::Changed);
        }
        let sha256 = Sha256::from_digest(&sha2::Sha256::digest(&bytes).into());
        let key = (meeting, item, place.file_name.clone());
        let before = self.taken.get(&key);
        let target = match before {
            Some(before) if before.sha256 == sha256 => {
                // The same bytes again (touched, or copied again): nothing to take.
                let mut file = before.clone();
                file.path = slash_path(relative);
                file.size = stamp.size;
                file.mtime_ns = stamp.mtime_ns;
                self.app.store.record_hot_folder_file(&file).await?;
                self.remember(file);
                return Ok(Outcome::Done);
            }
            Some(before) => Target::Revision {
                document_id: before.document_id,
            },
            None => Target::NewDocument {
                item_id: item,
                title: String::new(),
            },
        };
        let upload = Upload {
            meeting_id: meeting,
            target,
            file_name: place.file_name.clone(),
            upload_id: Some(upload_id(&sha256, &key, before.map_or(0, |before| before.revision))),
        };
        let answer = crate::ingest::ingest(&self.app, self.actor.clone(), self.origin(), upload, &bytes).await?;
        let file = HotFolderFile {
            meeting_id: meeting,
            item_id: item,
            file_name: place.file_name,
            path: slash_path(relative),
            sha256,
            size: stamp.size,
            mtime_ns: stamp.mtime_ns,
            document_id: answer.document.id,
            revision: answer.document.current.revision,
            taken_at: crate::auth::unix_now(),
        };
        self.app.store.record_hot_folder_file(&file).await?;
        tracing::info!(
            file = %path.display(),
            %meeting,
            document = %file.document_id,
            revision = file.revision,
            "hot folder: taken"
        );
        self.remember(file);
        Ok(Outcome::Done)
    }

    /// The agenda item of a folder named by a title: the one made for that name before, or a new
    /// one (under a command id made of the name, so a crash before the name is recorded does not
    /// make a second item).
    async fn item_for_folder(
        &self,
        meeting: MeetingId,
        folder_name: &str,
        model: &phonghop_core::MeetingModel,
    ) -> ApiResult<ItemId> {
        if let Some(item) = self.app.store.hot_folder_item(meeting, folder_name).await? {
            if model.has_item(item) {
                return Ok(item);
            }
        }
        let receipt = Receipt {
            user: self.actor.user,
            command_id: format!("hot-folder:item:{}", short_hash(&format!("{meeting}/{folder_name}"))),
        };
        let command = Command::AddAgendaItem {
            parent: None,
            title: folder_name.trim().to_owned(),
            description: String::new(),
        };
        let done = self
            .app
            .writer
            .submit(
                meeting,
                self.actor.clone(),
                self.origin(),
                Some(receipt),
                Request::Command(command),
            )
            .await?;
        let added = match done.events.into_iter().next() {
            Some(logged) => Some(logged),
            // Made before a crash, answered from its receipt: the event says which item.
            None => match done.result {
                CommandResult::Logged { seq } => self.app.store.events_after(meeting, seq - 1, 1).await?.pop(),
                CommandResult::BallotRecorded { .. } => None,
            },
        };
        let Some((_, MeetingEvent::AgendaItemAdded { item })) = added else {
            return Err(ApiError::new(
                ErrorCode::Internal,
                format!("adding the item of folder {folder_name:?} logged {added:?}"),
            ));
        };
        self.app
            .store
            .record_hot_folder_item(meeting, folder_name, item.id)
            .await?;
        tracing::info!(%meeting, item = %item.id, folder = folder_name, "hot folder: agenda item created");
        Ok(item.id)
    }

    /// Writes why `path` was not taken beside it, and logs it (once per reason).
    fn refuse(&mut self, path: PathBuf, stamp: Stamp, error: &ApiError) {
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let note = note_text(&file_name, error);
        if self.refused.get(&path).is_none_or(|refused| refused.note != note) {
            tracing::warn!(
                file = %path.display(),
                code = ?error.code(),
                detail = %error.0.detail,
                "hot folder: a file was not taken; the reason is written beside it"
            );
        }
        write_note_file(&note_path(&path), &note);
        let retry = !matches!(
            error.code(),
            ErrorCode::InvalidDocument
                | ErrorCode::DocumentTooComplex
                | ErrorCode::EncryptedDocument
                | ErrorCode::OfficeConversionFailed
                | ErrorCode::DocumentTooLarge
                | ErrorCode::InvalidCommand
        );
        self.refused.insert(path, Refused { stamp, retry, note });
    }
}

/// Reports inotify's events (recursive: folders created later are watched too) into `reported`.
fn watch_events(root: &Path, reported: Arc<Reported>) -> notify::Result<notify::RecommendedWatcher> {
    use notify::event::{AccessKind, AccessMode};
    use notify::{EventKind, RecursiveMode, Watcher as _};
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
        // Opening and reading (the watcher's own reads too) change nothing.
        Ok(event) if matches!(event.kind, EventKind::Access(kind) if kind != AccessKind::Close(AccessMode::Write)) => {}
        Ok(event) => {
            reported
                .paths
                .lock()
                .expect("hot folder events lock")
                .extend(event.paths);
            reported.wake.notify_one();
        }
        Err(error) => tracing::warn!(%error, "hot folder: a file event was lost; the rescan covers it"),
    })?;
    watcher.watch(root, RecursiveMode::Recursive)?;
    Ok(watcher)
}

/// What a rescan found.
#[derive(Debug, Default)]
struct Walked {
    /// Every file the hot folder looks at, with its stamp.
    files: Vec<(PathBuf, Stamp)>,
    /// Notes whose file is gone.
    orphan_notes: Vec<PathBuf>,
}

/// Looks at every meeting folder and its item folders (blocking: a network share can be slow).
fn walk(root: &Path) -> Walked {
    let mut walked = Walked::default();
    let mut folders = vec![(root.to_path_buf(), 0)];
    while let Some((folder, depth)) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(metadata) = std::fs::metadata(&path) else {
                continue;
            };
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if metadata.is_dir() && depth < 2 && !name.starts_with('.') {
                let is_meeting = depth == 1 || matches!(parse_folder_name(&name), FolderName::Id(_));
                if is_meeting {
                    folders.push((path, depth + 1));
                }
            } else if metadata.is_file() && depth > 0 {
                if place_of(relative).is_some() {
                    walked.files.push((path, Stamp::of(&metadata)));
                } else if is_orphan_note(&path) {
                    walked.orphan_notes.push(path);
                }
            }
        }
    }
    walked
}

/// `<file>.loi.txt` beside `file`.
fn note_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(NOTE_SUFFIX);
    file.with_file_name(name)
}

/// A note this module wrote whose file is no longer there.
fn is_orphan_note(path: &Path) -> bool {
    let Some(file) = path.to_str().and_then(|path| path.strip_suffix(NOTE_SUFFIX)) else {
        return false;
    };
    !Path::new(file).exists() && std::fs::read_to_string(path).is_ok_and(|text| text.starts_with(NOTE_HEADER))
}

/// Why a file was not taken, for the secretariat: Vietnamese first, then English.
fn note_text(file_name: &str, error: &ApiError) -> String {
    let code = error.code();
    let mut text = format!(
        "{NOTE_HEADER}\nTệp / File: {file_name}\n\nLý do: {}\nReason: {}\n",
        code.message_vi(),
        code.message_en()
    );
    if !error.0.detail.is_empty() {
        text.push_str(&format!("Chi tiết / Detail: {}\n", error.0.detail));
    }
    text.push_str(
        "\nSửa hoặc thay tệp này: máy chủ sẽ tự nhận lại và xoá ghi chú này.\n\
         Fix or replace the file: the server takes it again by itself and deletes this note.\n",
    );
    text
}

/// Writes a note unless it already says so (written whole: a temporary file renamed over it).
fn write_note_file(path: &Path, text: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = path.with_file_name(format!(".{name}.tmp"));
    let written = std::fs::write(&temporary, text).and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = written {
        tracing::warn!(note = %path.display(), %error, "hot folder: the note could not be written");
        let _ = std::fs::remove_file(&temporary);
    }
}

fn remove_note_file(path: &Path) {
    match std::fs::remove_file(path) {
        Ok(()) => tracing::info!(note = %path.display(), "hot folder: note removed"),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => tracing::warn!(note = %path.display(), %error, "hot folder: the note could not be removed"),
    }
}

/// A relative path as stored: its parts joined by `/`.
fn slash_path(relative: &Path) -> String {
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The first 16 hex characters of the SHA-256 of `text`.
fn short_hash(text: &str) -> String {
    let digest = Sha256::from_digest(&sha2::Sha256::digest(text.as_bytes()).into());
    digest.as_str()[..16].to_owned()
}

/// The upload id of a file: its bytes, its place and the revision it follows. The same file at
/// the same step again (after a crash before it was recorded) is answered from the first upload;
/// going back to an earlier file's bytes later is a step of its own.
fn upload_id(sha256: &Sha256, (meeting, item, file_name): &FileKey, after_revision: u32) -> String {
    let place = short_hash(&format!("{meeting}/{item}/{file_name}"));
    format!("hot-folder:{sha256}:{place}:{after_revision}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_named_by_the_id_at_its_start_or_by_a_title() {
        for (name, id) in [
            ("1", 1),
            ("1 - Kỳ họp thứ mười", 1),
            ("3 - Dự thảo Nghị quyết", 3),
            ("3-Dự thảo", 3),
            ("3_Dự thảo", 3),
            ("3 Dự thảo", 3),
            ("03", 3),
            ("12 -", 12),
        ] {
            assert_eq!(parse_folder_name(name), FolderName::Id(id), "{name:?}");
        }
        for name in [
            "Dự thảo Nghị quyết",
            "Giấy mời họp",
            "3.Dự thảo",
            "3a",
            "Kỳ họp 3",
            "",
            "99999999999 - quá lớn",
        ] {
            assert_eq!(parse_folder_name(name), FolderName::Title(name), "{name:?}");
        }
    }

    #[test]
    fn lock_files_temporary_files_hidden_files_and_notes_are_ignored() {
        for name in [
            ".du-thao.pdf",
            ".~lock.giay-moi-hop.docx#",
            "~$giay-moi-hop.docx",
            "giay-moi-hop.docx.TMP",
            "~WRL0001.tmp",
            "du-thao.pdf.part",
            "giay-moi-hop-mat-khau.docx.loi.txt",
            "Thumbs.db",
            "desktop.ini",
        ] {
            assert!(is_ignored(name), "{name:?}");
        }
        for name in [
            "giay-moi-hop.docx",
            "du-thao-nghi-quyet-v2.pdf",
            "bao-cao.txt",
            "loi.txt",
        ] {
            assert!(!is_ignored(name), "{name:?}");
        }
    }

    #[test]
    fn a_file_is_looked_at_in_a_meeting_or_item_folder_only() {
        let place = place_of(Path::new("1 - Kỳ họp/3 - Dự thảo/du-thao.pdf")).unwrap();
        assert_eq!(
            place,
            Place {
                meeting: MeetingId(1),
                item_folder: Some("3 - Dự thảo".into()),
                file_name: "du-thao.pdf".into()
            }
        );
        let misplaced = place_of(Path::new("1/du-thao.pdf")).unwrap();
        assert_eq!(misplaced.item_folder, None, "noted as misplaced");
        for path in [
            "du-thao.pdf",
            "Lưu trữ/3/du-thao.pdf",
            "1/3/cũ/du-thao.pdf",
            "1/.cũ/du-thao.pdf",
            "1/3/~$du-thao.docx",
            "1/3/du-thao.pdf.loi.txt",
        ] {
            assert_eq!(place_of(Path::new(path)), None, "{path:?}");
        }
    }

    #[test]
    fn a_note_says_why_in_vietnamese_and_english_with_the_detail() {
        let error = ApiError::new(
            ErrorCode::EncryptedDocument,
            "the Office file is protected by a password",
        );
        let note = note_text("giay-moi-hop-mat-khau.docx", &error);
        assert!(note.starts_with(NOTE_HEADER));
        for part in [
            "giay-moi-hop-mat-khau.docx",
            ErrorCode::EncryptedDocument.message_vi(),
            ErrorCode::EncryptedDocument.message_en(),
            "the Office file is protected by a password",
        ] {
            assert!(note.contains(part), "{part:?} in {note}");
        }
        assert_eq!(
            note_path(Path::new("/srv/hop/1/3/giay-moi-hop-mat-khau.docx")),
            Path::new("/srv/hop/1/3/giay-moi-hop-mat-khau.docx.loi.txt")
        );
    }

    #[test]
    fn an_upload_id_names_the_bytes_the_place_and_the_step_and_fits() {
        let sha = Sha256::from_digest(&[0xab; 32]);
        let key = (MeetingId(1), ItemId(3), "du-thao-nghi-quyet.pdf".to_owned());
        let first = upload_id(&sha, &key, 0);
        assert!(first.len() <= 128, "{first}");
        assert_ne!(
            first,
            upload_id(&sha, &key, 2),
            "going back to these bytes later is a new step"
        );
        assert_ne!(first, upload_id(&sha, &(MeetingId(1), ItemId(4), key.2.clone()), 0));
        assert_eq!(first, upload_id(&sha, &key, 0));
    }
}

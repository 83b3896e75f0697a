//! The page server: what the desktop app's `phonghop://` handler and the render benchmark both call
//! to turn "page N of this file at W pixels" into image bytes. It answers from a bounded cache of
//! encoded pages when it can, and otherwise queues the page for the render thread (`render.rs`).
//! Every page asked also queues the next pages in the reader's direction, rendered in the
//! background behind anything asked, so turning the page usually finds it ready.
//!
//! Asked pages always go first: render-ahead jobs wait in their own queue, a page that is asked
//! while it waits there moves to the front, and render-ahead jobs the reader has moved away from
//! are dropped before they start. At most one page rendered ahead (a few milliseconds) can stand
//! between a request and the render thread, and at most one encoding between the rendered page and
//! a free encoder.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use tokio::sync::{oneshot, watch};

use crate::cache::{PageCache, Weighed};
use crate::error::PdfError;
use crate::render;
use crate::text_layer::PageText;

/// Narrowest rendering; a smaller request is widened to this.
pub const MIN_WIDTH_PX: u32 = 64;
/// Widest rendering; a larger request is narrowed to this.
pub const MAX_WIDTH_PX: u32 = 4096;

/// How the page server uses memory and cores.
#[derive(Debug, Clone)]
pub struct PageServerOptions {
    /// Bytes of encoded pages kept. A text page at 1240 px is ~250 KB, so the default holds
    /// about a hundred pages: a chapter paged back and forth, or a few documents at two zooms.
    pub cache_bytes: usize,
    /// Pages rendered ahead of the one asked, in the direction the reader is going.
    pub render_ahead: u32,
    /// Threads encoding rendered pages. PDFium renders on one thread (one binding per process,
    /// behind a global lock); encoding is plain Rust and runs beside it.
    pub encoders: usize,
}

impl Default for PageServerOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        PageServerOptions {
            cache_bytes: 32 << 20,
            render_ahead: 2,
            encoders: cores.clamp(1, 2),
        }
    }
}

/// One page, encoded for the webview.
#[derive(Debug, Clone)]
pub struct PageImage {
    /// The encoded image, shared with the cache (cloning does not copy it).
    pub bytes: Bytes,
    pub width: u32,
    pub height: u32,
}

impl PageImage {
    /// The pages are PNG (see `encode.rs` for why).
    pub const CONTENT_TYPE: &'static str = "image/png";
}

impl Weighed for PageImage {
    fn bytes(&self) -> usize {
        self.bytes.len()
    }
}

/// What the server has done since it started, for tests and the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageServerStats {
    /// Pages asked through [`PageServer::page`].
    pub asked: u64,
    /// Asked pages answered from the cache, without waiting for the render thread.
    pub from_cache: u64,
    /// Pages rendered and encoded, asked or ahead.
    pub rendered: u64,
    /// Of those, pages rendered ahead, before anyone asked for them.
    pub rendered_ahead: u64,
    pub cached_pages: usize,
    pub cached_bytes: usize,
    /// Time the render thread spent opening documents and drawing pages: over a stretch of wall
    /// time, the share it was busy, which bounds pages per second.
    pub rendering: Duration,
    /// Time the encoder threads spent encoding, summed over them.
    pub encoding: Duration,
}

/// A handle to the page server. Cloning shares it; the render and encoder threads end when the
/// last handle is dropped, and pages still awaited then fail with [`PdfError::RendererStopped`].
#[derive(Clone)]
pub struct PageServer {
    handle: Arc<Handle>,
}

/// Stops the threads when the last [`PageServer`] goes. Separate from [`Shared`], which the threads
/// themselves hold.
struct Handle {
    shared: Arc<Shared>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shared.stop();
    }
}

impl PageServer {
    /// Starts the server with the default options; fails if PDFium cannot be bound.
    pub fn start() -> Result<PageServer, PdfError> {
        PageServer::start_with(PageServerOptions::default())
    }

    pub fn start_with(options: PageServerOptions) -> Result<PageServer, PdfError> {
        let (busy, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(&options)),
            work: Condvar::new(),
            busy,
        });
        render::start(Arc::clone(&shared), options.encoders.max(1))?;
        Ok(PageServer {
            handle: Arc::new(Handle { shared }),
        })
    }

    /// Page `page_index` (from 0) of `pdf`, `width_px` pixels wide (clamped to
    /// [`MIN_WIDTH_PX`]..=[`MAX_WIDTH_PX`]) on a white background.
    pub async fn page(&self, pdf: &Path, page_index: u32, width_px: u32) -> Result<PageImage, PdfError> {
        self.answer(pdf, page_index, width_px, Reading::Page).await
    }

    /// A small picture of a page for a strip of thumbnails: rendered and cached like a page, but
    /// it neither renders pages ahead nor moves the reader's place, so a strip filling in beside
    /// the page being read never pushes that reading's next pages out of the queue.
    pub async fn thumbnail(&self, pdf: &Path, page_index: u32, width_px: u32) -> Result<PageImage, PdfError> {
        self.answer(pdf, page_index, width_px, Reading::Thumbnail).await
    }

    async fn answer(
        &self,
        pdf: &Path,
        page_index: u32,
        width_px: u32,
        reading: Reading,
    ) -> Result<PageImage, PdfError> {
        let key = PageKey {
            document: Arc::new(DocumentKey::of(pdf)?),
            index: page_index,
            width: width_px.clamp(MIN_WIDTH_PX, MAX_WIDTH_PX),
        };
        let answer = self.handle.shared.ask(key, reading)?;
        match answer {
            Answer::Ready(image) => Ok(image),
            Answer::Wait(reply) => reply.await.map_err(|_| PdfError::RendererStopped)?,
        }
    }

    /// The number of pages of `pdf`.
    pub async fn page_count(&self, pdf: &Path) -> Result<u32, PdfError> {
        let document = Arc::new(DocumentKey::of(pdf)?);
        let shared = &self.handle.shared;
        let reply = {
            let mut state = shared.lock();
            if let Some(&count) = state.page_counts.get(&document) {
                return Ok(count);
            }
            if state.stopped {
                return Err(PdfError::RendererStopped);
            }
            let (reply, answer) = oneshot::channel();
            state.asked.push_back(Job::Count { document, reply });
            state.counting += 1;
            shared.publish(&state);
            answer
        };
        shared.work.notify_one();
        reply.await.map_err(|_| PdfError::RendererStopped)?
    }

    /// The text layer of page `page_index` (from 0) of `pdf`: its characters as runs with their
    /// boxes, read by the render thread between pages.
    pub async fn text_layer(&self, pdf: &Path, page_index: u32) -> Result<PageText, PdfError> {
        self.read_text(pdf, page_index, None).await
    }

    /// The boxes, line by line, of the characters `range` of page `page_index`'s text (as PDFium
    /// extracts the whole page's text): where words found in that text stand on the page.
    pub async fn text_boxes(
        &self,
        pdf: &Path,
        page_index: u32,
        range: std::ops::Range<usize>,
    ) -> Result<PageText, PdfError> {
        self.read_text(pdf, page_index, Some(range)).await
    }

    async fn read_text(
        &self,
        pdf: &Path,
        page_index: u32,
        only: Option<std::ops::Range<usize>>,
    ) -> Result<PageText, PdfError> {
        let document = Arc::new(DocumentKey::of(pdf)?);
        let shared = &self.handle.shared;
        let reply = {
            let mut state = shared.lock();
            if state.stopped {
                return Err(PdfError::RendererStopped);
            }
            let (reply, answer) = oneshot::channel();
            state.asked.push_back(Job::Text {
                document,
                index: page_index,
                only,
                reply,
            });
            state.counting += 1;
            shared.publish(&state);
            answer
        };
        shared.work.notify_one();
        reply.await.map_err(|_| PdfError::RendererStopped)?
    }

    /// Resolves once nothing is queued or rendering: every page asked or planned ahead so far is
    /// in the cache (or failed). Lets tests and the benchmark await render-ahead instead of sleeping.
    pub async fn idle(&self) {
        let mut busy = self.handle.shared.busy.subscribe();
        // An error means the server stopped, which is idle too.
        let _ = busy.wait_for(|outstanding| *outstanding == 0).await;
    }

    pub fn stats(&self) -> PageServerStats {
        let state = self.handle.shared.lock();
        PageServerStats {
            cached_pages: state.cache.len(),
            cached_bytes: state.cache.bytes(),
            ..state.stats
        }
    }
}

/// A document as its file is now: a file revised in place under the same path is another document,
/// so neither the cache nor the open document serve the old revision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct DocumentKey {
    pub path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
}

impl DocumentKey {
    fn of(path: &Path) -> Result<DocumentKey, PdfError> {
        let metadata =
            std::fs::metadata(path).map_err(|error| PdfError::Open(format!("{}: {error}", path.display())))?;
        Ok(DocumentKey {
            path: path.to_owned(),
            len: metadata.len(),
            modified: metadata.modified().ok(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PageKey {
    pub document: Arc<DocumentKey>,
    pub index: u32,
    pub width: u32,
}

/// Work for the render thread.
pub(crate) enum Job {
    Page(PageKey),
    Count {
        document: Arc<DocumentKey>,
        reply: oneshot::Sender<Result<u32, PdfError>>,
    },
    Text {
        document: Arc<DocumentKey>,
        index: u32,
        /// Only these characters of the page's text, for their boxes; `None`: the whole layer.
        only: Option<std::ops::Range<usize>>,
        reply: oneshot::Sender<Result<PageText, PdfError>>,
    },
}

/// Whether a page is asked by the reader (it renders the next pages ahead) or for a thumbnail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Page,
    Thumbnail,
}

type Waiter = oneshot::Sender<Result<PageImage, PdfError>>;

enum Answer {
    Ready(PageImage),
    Wait(oneshot::Receiver<Result<PageImage, PdfError>>),
}

/// What the async side and the threads share. A `std` mutex: every critical section is a few map
/// operations, never held across an await or a render.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Wakes the render thread when a job is queued or the server stops.
    work: Condvar,
    /// Jobs queued or in progress, for [`PageServer::idle`].
    busy: watch::Sender<usize>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves maps that are still consistent enough to serve.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn publish(&self, state: &State) {
        let outstanding = state.outstanding();
        self.busy.send_if_modified(|current| {
            let changed = *current != outstanding;
            *current = outstanding;
            changed
        });
    }

    fn ask(&self, key: PageKey, reading: Reading) -> Result<Answer, PdfError> {
        let answer = {
            let mut state = self.lock();
            let answer = state.ask(key, reading)?;
            self.publish(&state);
            answer
        };
        self.work.notify_one();
        Ok(answer)
    }

    /// The next job for the render thread: asked pages first, then pages ahead. Blocks while there
    /// is none; `None` once the server has stopped.
    pub(crate) fn next_job(&self) -> Option<Job> {
        let mut state = self.lock();
        loop {
            if state.stopped {
                return None;
            }
            if let Some(job) = state.asked.pop_front() {
                return Some(job);
            }
            if let Some(key) = state.ahead.pop_front() {
                return Some(Job::Page(key));
            }
            state = self.work.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// A page is done (rendered and encoded, or failed): cache it and answer whoever waits.
    pub(crate) fn finish(&self, key: &PageKey, outcome: Result<PageImage, PdfError>) {
        let mut state = self.lock();
        state.finish(key, outcome);
        self.publish(&state);
    }

    /// A count job is done; `count` is remembered when the document opened.
    pub(crate) fn counted(&self, document: &Arc<DocumentKey>, count: Option<u32>) {
        let mut state = self.lock();
        if let Some(count) = count {
            state.learn_page_count(document, count);
        }
        state.counting = state.counting.saturating_sub(1);
        self.publish(&state);
    }

    pub(crate) fn learn_page_count(&self, document: &Arc<DocumentKey>, count: u32) {
        self.lock().learn_page_count(document, count);
    }

    pub(crate) fn spent_rendering(&self, time: Duration) {
        self.lock().stats.rendering += time;
    }

    pub(crate) fn spent_encoding(&self, time: Duration) {
        self.lock().stats.encoding += time;
    }

    fn stop(&self) {
        let mut state = self.lock();
        state.stopped = true;
        // Dropping the waiters' senders fails their requests with `RendererStopped`.
        state.asked.clear();
        state.ahead.clear();
        state.pending.clear();
        state.counting = 0;
        self.publish(&state);
        drop(state);
        self.work.notify_all();
    }
}

/// How many documents' page counts are remembered; a meeting has a handful of documents.
const REMEMBERED_COUNTS: usize = 64;

struct State {
    cache: PageCache<PageKey, PageImage>,
    /// Pages queued or being rendered, each with whoever awaits it (nobody, for a page ahead).
    pending: HashMap<PageKey, Vec<Waiter>>,
    /// Jobs someone awaits, in the order asked.
    asked: VecDeque<Job>,
    /// Pages nobody awaits yet, nearest first. Each is also in `pending`, with no waiter.
    ahead: VecDeque<PageKey>,
    page_counts: HashMap<Arc<DocumentKey>, u32>,
    /// The last page asked, which tells the reader's direction.
    last_asked: Option<PageKey>,
    render_ahead: u32,
    /// Count and text-layer jobs queued or running.
    counting: usize,
    stopped: bool,
    stats: PageServerStats,
}

impl State {
    fn new(options: &PageServerOptions) -> State {
        State {
            cache: PageCache::new(options.cache_bytes),
            pending: HashMap::new(),
            asked: VecDeque::new(),
            ahead: VecDeque::new(),
            page_counts: HashMap::new(),
            last_asked: None,
            render_ahead: options.render_ahead,
            counting: 0,
            stopped: false,
            stats: PageServerStats::default(),
        }
    }

    fn outstanding(&self) -> usize {
        self.pending.len() + self.counting
    }

    fn ask(&mut self, key: PageKey, reading: Reading) -> Result<Answer, PdfError> {
        if self.stopped {
            return Err(PdfError::RendererStopped);
        }
        if let Some(&count) = self.page_counts.get(&key.document) {
            if key.index >= count {
                return Err(PdfError::NoSuchPage {
                    index: key.index,
                    count,
                });
            }
        }
        self.stats.asked += 1;
        let answer = if let Some(image) = self.cache.get(&key) {
            self.stats.from_cache += 1;
            Answer::Ready(image)
        } else {
            let (waiter, reply) = oneshot::channel();
            match self.pending.get_mut(&key) {
                Some(waiters) => {
                    waiters.push(waiter);
                    // Still waiting in the render-ahead queue: it is asked now, so it goes first.
                    if let Some(position) = self.ahead.iter().position(|queued| *queued == key) {
                        self.ahead.remove(position);
                        self.asked.push_back(Job::Page(key.clone()));
                    }
                }
                None => {
                    self.pending.insert(key.clone(), vec![waiter]);
                    self.asked.push_back(Job::Page(key.clone()));
                }
            }
            Answer::Wait(reply)
        };
        if reading == Reading::Page {
            self.plan_ahead(&key);
            self.last_asked = Some(key);
        }
        Ok(answer)
    }

    /// Queues the next `render_ahead` pages after `key` in the reader's direction, and drops queued
    /// pages the reader has left behind.
    ///
    /// The reader goes backwards when the page asked is one or two before the last page asked: two,
    /// because the viewer asks for the page after the one it shows as soon as it is shown, so paging
    /// back from 10 asks 9 after 11. That prefetch then looks like a step forward; the pages queued
    /// behind the reader stay queued anyway, since only pages more than two plans away are dropped.
    fn plan_ahead(&mut self, key: &PageKey) {
        let same_reading = |other: &PageKey| other.document == key.document && other.width == key.width;
        let backwards = self
            .last_asked
            .as_ref()
            .is_some_and(|last| same_reading(last) && (1..=2).contains(&last.index.wrapping_sub(key.index)));
        let count = self.page_counts.get(&key.document).copied().unwrap_or(u32::MAX);
        let wanted: Vec<PageKey> = (1..=self.render_ahead)
            .map_while(|step| {
                if backwards {
                    key.index.checked_sub(step)
                } else {
                    key.index.checked_add(step).filter(|index| *index < count)
                }
            })
            .map(|index| PageKey {
                document: Arc::clone(&key.document),
                index,
                width: key.width,
            })
            .collect();
        let reach = 2 * self.render_ahead;
        let pending = &mut self.pending;
        self.ahead.retain(|queued| {
            let keep = same_reading(queued) && queued.index.abs_diff(key.index) <= reach;
            if !keep {
                pending.remove(queued);
            }
            keep
        });
        for page in wanted {
            if !self.cache.contains(&page) && !self.pending.contains_key(&page) {
                self.pending.insert(page.clone(), Vec::new());
                self.ahead.push_back(page);
            }
        }
    }

    fn finish(&mut self, key: &PageKey, outcome: Result<PageImage, PdfError>) {
        let waiters = self.pending.remove(key).unwrap_or_default();
        if let Ok(image) = &outcome {
            self.stats.rendered += 1;
            if waiters.is_empty() {
                self.stats.rendered_ahead += 1;
            }
            self.cache.insert(key.clone(), image.clone());
        }
        for waiter in waiters {
            // A caller that stopped waiting (its task was cancelled) is not an error here.
            let _ = waiter.send(outcome.clone());
        }
    }

    fn learn_page_count(&mut self, document: &Arc<DocumentKey>, count: u32) {
        if self.page_counts.len() >= REMEMBERED_COUNTS && !self.page_counts.contains_key(document) {
            self.page_counts.clear();
        }
        self.page_counts.insert(Arc::clone(document), count);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(name: &str) -> Arc<DocumentKey> {
        Arc::new(DocumentKey {
            path: PathBuf::from(name),
            len: 1,
            modified: None,
        })
    }

    fn page(document: &Arc<DocumentKey>, index: u32) -> PageKey {
        PageKey {
            document: Arc::clone(document),
            index,
            width: 800,
        }
    }

    fn image() -> PageImage {
        PageImage {
            bytes: Bytes::from_static(b"png"),
            width: 800,
            height: 1131,
        }
    }

    fn state(render_ahead: u32) -> State {
        State::new(&PageServerOptions {
            cache_bytes: 1 << 20,
            render_ahead,
            encoders: 1,
        })
    }

    /// The queues as page indices: (asked, ahead).
    fn queues(state: &State) -> (Vec<u32>, Vec<u32>) {
        let asked = state
            .asked
            .iter()
            .filter_map(|job| match job {
                Job::Page(key) => Some(key.index),
                Job::Count { .. } | Job::Text { .. } => None,
            })
            .collect();
        (asked, state.ahead.iter().map(|key| key.index).collect())
    }

    fn take_jobs(state: &mut State) {
        state.asked.clear();
        state.ahead.clear();
    }

    #[test]
    fn a_thumbnail_neither_renders_ahead_nor_moves_the_readers_place() {
        let report = document("report.pdf");
        let mut state = state(3);
        state.ask(page(&report, 10), Reading::Page).unwrap();
        let before = queues(&state);
        let small = PageKey {
            width: 120,
            ..page(&report, 200)
        };
        state.ask(small, Reading::Thumbnail).unwrap();
        let (asked, ahead) = queues(&state);
        assert_eq!(asked, vec![10, 200], "the thumbnail is rendered when asked");
        assert_eq!(ahead, before.1, "the reading's pages ahead stay queued");
        assert_eq!(state.last_asked.as_ref().map(|key| key.index), Some(10));
    }

    #[test]
    fn asking_a_page_queues_it_first_and_the_next_pages_behind_it() {
        let report = document("report.pdf");
        let mut state = state(2);
        state.ask(page(&report, 4), Reading::Page).unwrap();
        assert_eq!(queues(&state), (vec![4], vec![5, 6]));
        assert_eq!(state.outstanding(), 3);
    }

    #[test]
    fn a_page_asked_while_queued_ahead_moves_to_the_front() {
        let report = document("report.pdf");
        let mut state = state(3);
        state.ask(page(&report, 0), Reading::Page).unwrap();
        state.asked.clear();
        state.ask(page(&report, 2), Reading::Page).unwrap();
        assert_eq!(queues(&state), (vec![2], vec![1, 3, 4, 5]));
        assert_eq!(state.pending[&page(&report, 2)].len(), 1, "the asker waits for it");
    }

    #[test]
    fn a_jump_drops_the_pages_queued_ahead_of_the_old_place() {
        let report = document("report.pdf");
        let mut state = state(2);
        state.ask(page(&report, 0), Reading::Page).unwrap();
        state.asked.clear();
        state.ask(page(&report, 300), Reading::Page).unwrap();
        assert_eq!(queues(&state), (vec![300], vec![301, 302]));
        assert!(!state.pending.contains_key(&page(&report, 1)));
    }

    #[test]
    fn paging_backwards_renders_the_pages_before() {
        let report = document("report.pdf");
        let mut state = state(2);
        state.ask(page(&report, 10), Reading::Page).unwrap();
        take_jobs(&mut state);
        state.pending.clear();
        state.ask(page(&report, 9), Reading::Page).unwrap();
        assert_eq!(queues(&state), (vec![9], vec![8, 7]));
    }

    /// The viewer asks the page it shows, then the one after it: paging back from 10 asks 9, 10,
    /// 8, 9, 7.
    #[test]
    fn paging_backwards_through_the_viewer_keeps_the_pages_before_queued() {
        let report = document("report.pdf");
        let mut state = state(2);
        for index in [10, 11] {
            state.ask(page(&report, index), Reading::Page).unwrap();
            state.finish(&page(&report, index), Ok(image()));
        }
        take_jobs(&mut state);
        state.pending.clear();
        state.ask(page(&report, 9), Reading::Page).unwrap();
        assert_eq!(queues(&state).1, vec![8, 7]);
        state.finish(&page(&report, 9), Ok(image()));
        state.asked.clear();
        state.ask(page(&report, 10), Reading::Page).unwrap();
        let ahead = queues(&state).1;
        assert!(
            ahead.starts_with(&[8, 7]),
            "the prefetch of page 10 dropped them: {ahead:?}"
        );
        state.ahead.retain(|key| key.index != 8);
        state.finish(&page(&report, 8), Ok(image()));
        assert!(matches!(
            state.ask(page(&report, 8), Reading::Page),
            Ok(Answer::Ready(_))
        ));
        assert!(queues(&state).1.contains(&6), "page 7 then 6 come next");
    }

    #[test]
    fn render_ahead_stops_at_the_last_page_once_the_count_is_known() {
        let report = document("report.pdf");
        let mut state = state(3);
        state.learn_page_count(&report, 6);
        state.ask(page(&report, 4), Reading::Page).unwrap();
        assert_eq!(queues(&state), (vec![4], vec![5]));
        assert!(matches!(
            state.ask(page(&report, 6), Reading::Page),
            Err(PdfError::NoSuchPage { index: 6, count: 6 })
        ));
    }

    #[test]
    fn switching_documents_drops_the_old_documents_pages_ahead() {
        let report = document("report.pdf");
        let draft = document("draft.pdf");
        let mut state = state(2);
        state.ask(page(&report, 0), Reading::Page).unwrap();
        state.asked.clear();
        state.ask(page(&draft, 0), Reading::Page).unwrap();
        let ahead: Vec<_> = state.ahead.iter().map(|key| key.document.path.clone()).collect();
        assert_eq!(ahead, vec![PathBuf::from("draft.pdf"); 2]);
        assert!(!state.pending.contains_key(&page(&report, 1)));
        assert!(
            state.pending.contains_key(&page(&report, 0)),
            "the asked page is still awaited"
        );
    }

    #[test]
    fn a_finished_page_answers_every_waiter_and_is_then_served_from_the_cache() {
        let report = document("report.pdf");
        let mut state = state(0);
        let first = state.ask(page(&report, 0), Reading::Page).unwrap();
        let second = state.ask(page(&report, 0), Reading::Page).unwrap();
        assert_eq!(queues(&state), (vec![0], vec![]), "one render for both");
        state.finish(&page(&report, 0), Ok(image()));
        for answer in [first, second] {
            let Answer::Wait(mut reply) = answer else {
                panic!("the page was not ready when asked")
            };
            assert!(matches!(reply.try_recv(), Ok(Ok(_))));
        }
        assert!(matches!(
            state.ask(page(&report, 0), Reading::Page),
            Ok(Answer::Ready(_))
        ));
        assert_eq!(state.stats.from_cache, 1);
        assert_eq!(state.outstanding(), 0);
    }

    #[test]
    fn a_failed_page_is_not_cached_and_can_be_asked_again() {
        let report = document("report.pdf");
        let mut state = state(0);
        let Answer::Wait(mut reply) = state.ask(page(&report, 3), Reading::Page).unwrap() else {
            panic!("nothing was rendered yet")
        };
        state.finish(&page(&report, 3), Err(PdfError::Render("broken".to_owned())));
        assert!(matches!(reply.try_recv(), Ok(Err(PdfError::Render(_)))));
        assert!(matches!(
            state.ask(page(&report, 3), Reading::Page),
            Ok(Answer::Wait(_))
        ));
    }

    #[test]
    fn pages_rendered_ahead_are_counted_apart() {
        let report = document("report.pdf");
        let mut state = state(1);
        state.ask(page(&report, 0), Reading::Page).unwrap();
        state.finish(&page(&report, 0), Ok(image()));
        state.finish(&page(&report, 1), Ok(image()));
        assert!(matches!(
            state.ask(page(&report, 1), Reading::Page),
            Ok(Answer::Ready(_))
        ));
        assert_eq!((state.stats.rendered, state.stats.rendered_ahead), (2, 1));
    }
}

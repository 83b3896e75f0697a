// The only door from the webview to the Rust side: every Tauri command and event the UI uses is
// wrapped here with its exact types, so components never call `invoke` or `listen` themselves and
// a renamed command breaks one file, not twenty.

import { convertFileSrc, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { SavedRecord } from "./app-views/SavedRecord";
import type { RulePreset } from "./protocol/RulePreset";
import type { BallotForm } from "./protocol/BallotForm";
import type { Choice } from "./protocol/Choice";
import type { Secrecy } from "./protocol/Secrecy";
import type { AttendanceStatus } from "./protocol/AttendanceStatus";
import type { AttendanceView } from "./protocol/AttendanceView";
import type { Fraction } from "./protocol/Fraction";
import type { ErrorCode } from "./protocol/ErrorCode";
import type { Capabilities } from "./app-views/Capabilities";
import type { Connection } from "./app-views/Connection";
import type { LoginView } from "./app-views/LoginView";
import type { MirrorView } from "./app-views/MirrorView";
import type { OpenedDocument } from "./app-views/OpenedDocument";
import type { SearchView } from "./app-views/SearchView";
import type { PacketView } from "./app-views/PacketView";
import type { KeptMeetings } from "./app-views/KeptMeetings";
import type { TextRun } from "./app-views/TextRun";
import type { RunMark } from "./app-views/RunMark";
import type { AnnotationShown } from "./app-views/AnnotationShown";
import type { UnplacedShown } from "./app-views/UnplacedShown";
import type { VaultOwner } from "./app-views/VaultOwner";
import type { Annotation } from "./protocol/Annotation";
import type { ReadReceipts } from "./protocol/ReadReceipts";
import type { OpinionRequest } from "./protocol/OpinionRequest";
import type { OpinionView } from "./protocol/OpinionView";
import type { AuditPage } from "./protocol/AuditPage";
import type { DeviceList } from "./protocol/DeviceList";
import type { Command } from "./protocol/Command";
import type { CreateMeetingRequest } from "./protocol/CreateMeetingRequest";
import type { MeetingSummary } from "./protocol/MeetingSummary";
import type { ImportMembersRequest } from "./protocol/ImportMembersRequest";
import type { ImportMembersResponse } from "./protocol/ImportMembersResponse";
import type { AddMemberRequest } from "./protocol/AddMemberRequest";
import type { MemberView } from "./protocol/MemberView";
import type { UploadResponse } from "./protocol/UploadResponse";

// The app-side views are generated from Rust (phonghop-client's `seat` module) by ts-rs, like the
// wire types; they are re-exported here under the names the components use.
export type { Capabilities, Connection, KeptMeetings, MirrorView, OpenedDocument, PacketView, SearchView, VaultOwner };
export type LoginResult = LoginView;

/** Codes the app itself raises, beside the server's own {@link ErrorCode}s. */
export type AppOnlyErrorCode =
  | "server_unreachable"
  | "offline"
  | "document_unavailable"
  | "render_failed"
  | "not_logged_in"
  | "meeting_open"
  | "export_failed"
  | "bad_upload"
  | "certificate_not_pinned"
  | "certificate_changed"
  | "locked"
  | "wrong_password"
  | "laptop_held";

/**
 * Raised here, never by the Rust side: a rejection that was not an {@link AppError} at all (for
 * example a command missing from an older app build). Its messages are empty, so the UI shows its
 * own plain "something went wrong" text.
 */
export type UnexpectedErrorCode = "unexpected";

export type AppErrorCode = ErrorCode | AppOnlyErrorCode | UnexpectedErrorCode;

/** What every command rejects with. Decide on `code`; show `message_vi`/`message_en` to people. */
export type AppError = {
  code: AppErrorCode;
  message_vi: string;
  message_en: string;
  /** Technical detail for support; never the main message. */
  detail: string;
};

/**
 * Prefill for the login form from the command line, and after how many minutes untouched a
 * secret ballot asks for the password again (`--reconfirm-after`; 0: before every one).
 */
export type AppDefaults = { server_url: string; username: string; reconfirm_after_minutes: number };


/** Name of the custom URI scheme on which the Rust side serves rendered pages. */
export const PAGE_SCHEME = "phonghop";

/** The event the Rust side emits whenever anything of the mirror changes. */
export const MIRROR_CHANGED = "mirror-changed";

/** The event the Rust side emits as the meeting's packet downloads. */
export const PACKET_CHANGED = "packet-changed";

/**
 * The event the Rust side emits when the server said this laptop was revoked: it has already
 * removed every meeting's documents and annotations it kept and logged out.
 */
export const DEVICE_REVOKED = "device-revoked";

export function isAppError(value: unknown): value is AppError {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.code === "string" &&
    typeof record.message_vi === "string" &&
    typeof record.message_en === "string"
  );
}

/** Turns any rejection into an {@link AppError}, keeping the original as detail. */
export function toAppError(reason: unknown): AppError {
  if (isAppError(reason)) {
    return { ...reason, detail: typeof reason.detail === "string" ? reason.detail : "" };
  }
  const detail =
    reason instanceof Error ? reason.message : typeof reason === "string" ? reason : JSON.stringify(reason);
  return { code: "unexpected", message_vi: "", message_en: "", detail: detail ?? "" };
}

/** Calls a command and rejects only with an {@link AppError}. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toAppError(reason);
  }
}

/** Prefill for the login form from the command line; may be empty strings. */
export function appDefaults(): Promise<AppDefaults> {
  return call("app_defaults");
}

/**
 * Logs in as the launch options say (`--auto-login`, for tests and benchmarks) with the password
 * only the Rust side holds; `null` when the app was not launched so.
 */
export function autoLogin(): Promise<LoginResult | null> {
  return call("auto_login");
}

/**
 * Tells the Rust side that the agenda is on screen; the first time, the app reports the time since
 * it started on its standard output. Two animation frames later, so the report follows the paint.
 */
export function reportAgendaShown(): void {
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      // Only a measurement: a failure to report changes nothing for the person.
      call("agenda_shown").catch(() => undefined);
    }),
  );
}

/**
 * Reopens the meeting of the last session kept on this laptop, as last seen — with or without the
 * server; `null` when there is none. Rejects with `locked` while what the laptop keeps is
 * encrypted: {@link unlock} first.
 */
export function resumeSaved(): Promise<MirrorView | null> {
  return call("resume_saved");
}

/**
 * Whose session the locked cache keeps, for the unlock screen to name; `null` when it keeps none.
 * Readable while locked: only the documents, notes and session are encrypted.
 */
export function vaultOwner(): Promise<VaultOwner | null> {
  return call("vault_owner");
}

/**
 * Unlocks what this laptop keeps with the owner's password, without the server; afterwards
 * {@link resumeSaved} reopens their meeting. Rejects with `wrong_password` when it does not open it.
 */
export function unlock(password: string): Promise<void> {
  return call("unlock", { password });
}

/**
 * Logs in. An `https://` server is trusted only by the fingerprint pinned for it on this laptop:
 * not pinned yet, this rejects with `certificate_not_pinned` (see {@link probeServer}); showing
 * another certificate than the pinned one, with `certificate_changed`, having sent nothing.
 */
export function login(serverUrl: string, username: string, password: string): Promise<LoginResult> {
  return call("login", { serverUrl, username, password });
}

/**
 * Connects to an `https://` server without trusting it, asking nothing but its health, and
 * resolves to its certificate's SHA-256 fingerprint as people compare it: 16 groups of 4
 * uppercase hex digits separated by single spaces ("AB12 CD34 …").
 */
export function probeServer(serverUrl: string): Promise<string> {
  return call("probe_server", { serverUrl });
}

/**
 * Pins `fingerprint` (as {@link probeServer} gave it) for `serverUrl` on this laptop, replacing an
 * earlier pin. Only after the person compared it with the one the meeting's secretariat shows.
 */
export function pinServer(serverUrl: string, fingerprint: string): Promise<void> {
  return call("pin_server", { serverUrl, fingerprint });
}

/** The fingerprint pinned for `serverUrl` on this laptop, written like {@link probeServer}'s; `null` when none. */
export function pinnedFingerprint(serverUrl: string): Promise<string | null> {
  return call("pinned_fingerprint", { serverUrl });
}

/** Opens a meeting and starts following it live; further changes arrive as `mirror-changed`. */
export function openMeeting(meetingId: number): Promise<MirrorView> {
  return call("open_meeting", { meetingId });
}

/** The current mirror, e.g. after the webview reloaded; `null` when no meeting is open. */
export function mirror(): Promise<MirrorView | null> {
  return call("mirror");
}

/**
 * Downloads the document into the local cache (verified by SHA-256) or takes it from there: its
 * current revision, or the earlier `revision` asked for.
 */
export function openDocument(documentId: number, revision: number | null = null): Promise<OpenedDocument> {
  return call("open_document", { documentId, revision });
}

/** The annotations on a document the reader sees: their own, and those other members share. */
export function annotations(documentId: number): Promise<AnnotationShown[]> {
  return call("annotations", { documentId });
}

/** Saves a change of one of the reader's annotations on the laptop (offline too); the saved one. */
export function saveAnnotation(annotation: Annotation): Promise<Annotation> {
  return call("save_annotation", { annotation });
}

export function deleteAnnotation(id: string): Promise<void> {
  return call("delete_annotation", { id });
}

/** The reader's annotations that could not be placed on the document's current revision. */
export function unplacedAnnotations(documentId: number): Promise<UnplacedShown[]> {
  return call("unplaced_annotations", { documentId });
}

/** Calls `handler` when annotations were carried onto a new revision (or listed as not placed). */
export function onAnnotationsCarried(handler: () => void): Promise<UnlistenFn> {
  return listen<number>("annotations-carried", () => handler());
}

/**
 * "My annotated copy": the document (its `revision`, else the current one) with the reader's own
 * annotations on it as real PDF annotations, flattened into the pages for printing when asked,
 * saved in the Downloads folder; resolves to the path of the file written.
 */
export function exportAnnotated(documentId: number, flatten: boolean, revision?: number): Promise<string> {
  return call("export_annotated", { documentId, flatten, revision: revision ?? null });
}

/** A page's text as runs with their boxes (fractions of the page), and where `query` matches. */
export type PageTextView = { runs: TextRun[]; marks: RunMark[] };

/** The text layer of a page of a cached document, with the hits of `query` when one is given. */
export function pageText(sha256: string, page: number, query: string | null = null): Promise<PageTextView> {
  return call("page_text", { sha256, page, query });
}

/** Searches the meeting's documents; offline, the laptop searches the text it keeps. */
export function search(query: string): Promise<SearchView> {
  return call("search", { query });
}

/** Who has each document and who opened it; the chair and the secretariat only. */
export function readReceipts(): Promise<ReadReceipts> {
  return call("read_receipts");
}

/** Where the meeting's packet (every document on the laptop) stands; `null` before it starts. */
export function packet(): Promise<PacketView | null> {
  return call("packet");
}

/** The meetings whose documents this laptop keeps, and the space they take. */
export function keptMeetings(): Promise<KeptMeetings> {
  return call("kept_meetings");
}

/** Removes an old meeting's documents from the laptop; resolves to the bytes freed. */
export function removeKeptMeeting(server: string, meetingId: number): Promise<number> {
  return call("remove_kept_meeting", { server, meetingId });
}

/** A motion's ballot: one of its three choices. */
export function castBallot(pollId: number, choice: Choice): Promise<void> {
  return call("cast_ballot", { pollId, choice });
}

/**
 * A ballot of marks (options, an election, a confidence vote): one mark per line of the poll's
 * form, in the order of its lines; what each mark means depends on the form.
 */
export function castMarks(pollId: number, marks: number[]): Promise<void> {
  return call("cast_marks", { pollId, marks });
}

/**
 * Opens a poll on an item, decided by the meeting's preset `preset` (its first when `null`); with
 * `durationSeconds` the server closes it when the time is up. `ballot` is what it asks: options,
 * an election, a confidence vote; a motion when `null` (or a motion's form).
 *
 * Only for a view whose `may.manage_polls` is true; the server refuses others with `forbidden`.
 */
export function openPoll(
  itemId: number,
  title: string,
  preset: string | null = null,
  durationSeconds: number | null = null,
  secrecy: Secrecy = "named",
  quorumOverride: string | null = null,
  changeable = false,
  ballot: BallotForm | null = null,
): Promise<void> {
  const form = ballot === null || ballot.type === "motion" ? null : ballot;
  return call("open_poll", {
    form: { itemId, title, preset, durationSeconds, secrecy, quorumOverride, changeable, ballot: form },
  });
}

/**
 * Sends a written opinion (góp ý) on an agenda item, or on one of its documents; resolves to the
 * opinion as the server keeps it. `request.id` is the app's own: sending the same id again (a
 * retry after a lost answer) keeps one opinion. The request goes as the Rust side's struct reads
 * it, its fields in snake_case. The server refuses a blank text or one over 10 000 characters
 * (`invalid_command`) and a document of another item (`not_found`).
 */
export function sendOpinion(request: OpinionRequest): Promise<OpinionView> {
  return call("send_opinion", { request });
}

/**
 * The meeting's opinions, oldest first: all of them for who runs the meeting (`may.run_meeting`)
 * and the council office, one's own for anyone else.
 */
export function listOpinions(): Promise<OpinionView[]> {
  return call("list_opinions", {});
}

/** Saves the meeting's opinions as CSV into the Downloads folder; resolves to the file's path. For `may.run_meeting`. */
export function saveOpinionsCsv(): Promise<string> {
  return call("save_opinions_csv", {});
}

/**
 * A page of the meeting's audit trail (nhật ký thao tác): its entries after entry `after` (0 for
 * the first page), oldest first. When `more` is true, ask again with `after` = the last entry's
 * `seq`. For the meeting's secretariat (`may.manage_members`); others are refused (`forbidden`).
 */
export function auditPage(after: number): Promise<AuditPage> {
  return call("audit_page", { after });
}

/**
 * The laptops of the open meeting's members, the most recently used first: for the meeting's
 * secretariat (`may.manage_members`); others are refused (`forbidden`).
 */
export function listDevices(): Promise<DeviceList> {
  return call("list_devices");
}

/**
 * Revokes a member's laptop by its id: its sessions end, it may not log in again, and the app on
 * it removes every meeting's documents and annotations. Resolves to the laptops after it. For
 * `may.manage_members`.
 */
export function revokeDevice(device: string): Promise<DeviceList> {
  return call("revoke_device", { device });
}

/** Saves the meeting's whole audit trail as CSV into the Downloads folder; resolves to the file's path. For `may.manage_members`. */
export function saveAuditCsv(): Promise<string> {
  return call("save_audit_csv", {});
}

/** Every member with their attendance, and whether the meeting's quorum is present (as the server counts it). */
export function attendance(): Promise<AttendanceView> {
  return call("attendance");
}

/** The person checks themselves in (điểm danh). */
export function checkIn(): Promise<void> {
  return call("check_in");
}

/** Marks a member present, absent with leave or absent: for a view whose `may.mark_attendance` is true. */
export function setAttendance(userId: number, status: AttendanceStatus, reason: string): Promise<void> {
  return call("set_attendance", { userId, status, reason });
}

/** Sets the share of the voting members who must be present to open a poll: for `may.manage_members`. */
export function setMeetingQuorum(quorum: Fraction | null): Promise<void> {
  return call("set_meeting_quorum", { quorum });
}

/** Saves the signed result record of a closed poll into the Downloads folder, its signature checked. */
export function savePollRecord(pollId: number, format: "pdf" | "csv"): Promise<SavedRecord> {
  return call("save_poll_record", { pollId, format });
}

/** Adds or corrects one of the meeting's voting rule presets: for a view whose `may.manage_members` is true. */
export function setRulePreset(preset: RulePreset): Promise<void> {
  return call("set_rule_preset", { preset });
}

export function removeRulePreset(presetId: string): Promise<void> {
  return call("remove_rule_preset", { presetId });
}

/** Only for a view whose `may.manage_polls` is true, like {@link openPoll}. */
export function closePoll(pollId: number): Promise<void> {
  return call("close_poll", { pollId });
}

/** Cancels an open poll (no outcome, no record), the reason kept in the log: for `may.manage_polls`. */
export function cancelPoll(pollId: number, reason: string): Promise<void> {
  return call("cancel_poll", { pollId, reason });
}

/**
 * Marks the agenda item under discussion on every screen, or none with `null`: for a view whose
 * `may.run_meeting` is true.
 */
export function setCurrentItem(itemId: number | null): Promise<void> {
  return call("set_current_item", { itemId });
}

/** Asks for the floor (xin phát biểu) on an item, or on the meeting in general with `null`. */
export function requestToSpeak(itemId: number | null): Promise<void> {
  return call("request_to_speak", { itemId });
}

/**
 * Takes a request to speak out of the queue: one's own with `null`; someone else's by their id,
 * for a view whose `may.run_meeting` is true.
 */
export function withdrawSpeechRequest(userId: number | null = null): Promise<void> {
  return call("withdraw_speech_request", { userId });
}

/** The complete new order of the waiting speakers, by user id: for `may.run_meeting`. */
export function orderSpeakers(userIds: number[]): Promise<void> {
  return call("order_speakers", { userIds });
}

/** Gives the floor to a member in the queue for `seconds` (30 to 3600): for `may.run_meeting`. */
export function grantFloor(userId: number, seconds: number): Promise<void> {
  return call("grant_floor", { userId, seconds });
}

/** Ends the speech in progress: who runs the meeting, or the speaker. */
export function endSpeech(): Promise<void> {
  return call("end_speech", {});
}

/**
 * Names the member who may present pages to the meeting besides the chair and the secretariat,
 * or none with `null`: for a view whose `may.run_meeting` is true.
 */
export function setPresenter(userId: number | null): Promise<void> {
  return call("set_presenter", { userId });
}

/**
 * Shows a page (0-based) of a document's current revision to every reader that follows: for
 * `may.run_meeting`, or the member the chair named (`state.presenter`).
 */
export function presentPage(documentId: number, page: number): Promise<void> {
  return call("present_page", { documentId, page });
}

/** Ends the presentation: the one presenting, or who runs the meeting. */
export function stopPresenting(): Promise<void> {
  return call("stop_presenting", {});
}

/**
 * Checks the logged-in person's password again; rejects with `wrong_credentials` when it is not
 * theirs, `rate_limited` after too many tries. The session stays either way.
 */
export function confirmPassword(password: string): Promise<void> {
  return call("confirm_password", { password });
}

/** A hall screen's code and the address to open on the hall's TV; `expires_at` in Unix seconds. */
export type HallScreen = { code: string; address: string; expires_at: number };

/** Makes a new code for the open meeting's hall screen (chair, secretariat). */
export function hallLink(): Promise<HallScreen> {
  return call("hall_link");
}

/** Revokes every code of the open meeting's hall screen; how many there were. */
export function revokeHallLinks(): Promise<number> {
  return call("revoke_hall_links");
}

/** Creates a meeting (an account allowed to); the account becomes its secretariat. */
export function createMeeting(request: CreateMeetingRequest): Promise<MeetingSummary> {
  return call("create_meeting", { request });
}

/**
 * Sends one command of the open meeting as it is: the agenda builder's `add_agenda_item`,
 * `edit_agenda_item`, `move_agenda_item`, `remove_agenda_item` and `publish_agenda`.
 */
export function sendCommand(command: Command): Promise<void> {
  return call("send_command", { command });
}

/** Checks a councillors file (dai-bieu.csv) line by line; with `commit`, imports it. */
export function importMembers(request: ImportMembersRequest): Promise<ImportMembersResponse> {
  return call("import_members", { request });
}

/** Adds an account to the open meeting with a role, or changes its role there. */
export function setMember(request: AddMemberRequest): Promise<MemberView> {
  return call("set_member", { request });
}

/** How far an upload is: `sent` of `total` bytes have gone out. */
export type UploadProgress = { upload: string; sent: number; total: number };

export const UPLOAD_PROGRESS = "upload-progress";

/**
 * Uploads `bytes` as a new document of agenda item `itemId`. `onProgress` hears how far it is
 * (the server then reads the file: the answer comes after 100 %). The bytes travel as the
 * invoke's raw body, the rest in headers.
 */
export async function uploadDocument(
  itemId: number,
  fileName: string,
  title: string,
  bytes: Uint8Array,
  onProgress: (sent: number, total: number) => void,
): Promise<UploadResponse> {
  const upload = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const stop = await listen<UploadProgress>(UPLOAD_PROGRESS, (event) => {
    if (event.payload.upload === upload) onProgress(event.payload.sent, event.payload.total);
  });
  try {
    return await invoke<UploadResponse>("upload_document", bytes, {
      headers: {
        "x-upload": encodeURIComponent(upload),
        "x-item-id": String(itemId),
        "x-file-name": encodeURIComponent(fileName),
        "x-title": encodeURIComponent(title),
      },
    });
  } catch (reason) {
    throw toAppError(reason);
  } finally {
    stop();
  }
}

export function logout(): Promise<void> {
  return call("logout");
}

/** Calls `handler` with every new mirror; resolves to the function that stops listening. */
export function onMirrorChanged(handler: (view: MirrorView) => void): Promise<UnlistenFn> {
  return listen<MirrorView>(MIRROR_CHANGED, (event) => handler(event.payload));
}

/** Calls `handler` with the packet's progress; resolves to the function that stops listening. */
export function onPacketChanged(handler: (view: PacketView) => void): Promise<UnlistenFn> {
  return listen<PacketView>(PACKET_CHANGED, (event) => handler(event.payload));
}

/**
 * Calls `handler` with the error (`device_revoked`) when the secretariat revoked this laptop: the
 * Rust side has then removed what the laptop kept and logged out. Resolves to the function that
 * stops listening.
 */
export function onDeviceRevoked(handler: (error: AppError) => void): Promise<UnlistenFn> {
  return listen<unknown>(DEVICE_REVOKED, (event) => handler(toAppError(event.payload)));
}

/**
 * Address of one rendered page (0-based `pageIndex`) of the blob `sha256`, `widthPx` pixels wide,
 * served by the Rust side on the `phonghop:` scheme (phonghop://localhost/… on Linux and macOS,
 * http://phonghop.localhost/… on Windows).
 */
export function pageImageUrl(sha256: string, pageIndex: number, widthPx: number): string {
  return convertFileSrc(`${sha256}/${pageIndex}/${widthPx}`, PAGE_SCHEME);
}

/** Address of a page's thumbnail: rendered like a page, without rendering pages ahead for it. */
export function thumbnailUrl(sha256: string, pageIndex: number, widthPx: number): string {
  return convertFileSrc(`${sha256}/${pageIndex}/${widthPx}/thumbnail`, PAGE_SCHEME);
}

// The "new meeting" form's checks before anything is sent: a title, and a date with a time (or
// neither), joined into the `starts_at` the meeting list shows ("YYYY-MM-DD HH:MM"). The server
// checks the title again; this only spares a round trip and says what to fix in the person's words.

import type { MessageKey } from "../i18n/vi";
import type { CreateMeetingRequest } from "../protocol/CreateMeetingRequest";
import type { MeetingKind } from "../protocol/MeetingKind";

/** What the form holds: `date` and `time` as `<input type=date|time>` give them. */
export type MeetingDraft = {
  title: string;
  /** "YYYY-MM-DD", or "" when not chosen (or not a whole date). */
  date: string;
  /** "HH:MM" (or "HH:MM:SS"), or "". */
  time: string;
  location: string;
  kind: MeetingKind;
};

/** The kinds in the order the form offers them: a council sitting first, the server's default. */
export const MEETING_KINDS: readonly MeetingKind[] = ["council_sitting", "committee_meeting", "conference"];

const KIND_LABELS: Readonly<Record<MeetingKind, MessageKey>> = {
  council_sitting: "members.kind.council_sitting",
  committee_meeting: "members.kind.committee_meeting",
  conference: "members.kind.conference",
};

export function kindLabel(kind: MeetingKind): MessageKey {
  return KIND_LABELS[kind];
}

/** The longest title the server takes, in characters (`phonghop_core::text::title`). */
export const TITLE_MAX = 300;

/** Why a draft is not sent yet; each names the field to fix. */
export type DraftProblem = "title_missing" | "title_too_long" | "date_without_time" | "time_without_date" | "bad_date" | "bad_time";

const PROBLEM_TEXTS: Readonly<Record<DraftProblem, MessageKey>> = {
  title_missing: "members.newMeeting.titleMissing",
  title_too_long: "members.newMeeting.titleTooLong",
  date_without_time: "members.newMeeting.timeMissing",
  time_without_date: "members.newMeeting.dateMissing",
  bad_date: "members.newMeeting.badDate",
  bad_time: "members.newMeeting.badTime",
};

export function draftProblemText(problem: DraftProblem): MessageKey {
  return PROBLEM_TEXTS[problem];
}

/** The field a problem is about, for putting the keyboard there. */
export function problemField(problem: DraftProblem): "title" | "date" | "time" {
  if (problem === "title_missing" || problem === "title_too_long") return "title";
  return problem === "date_without_time" || problem === "bad_time" ? "time" : "date";
}

export function emptyDraft(): MeetingDraft {
  return { title: "", date: "", time: "", location: "", kind: "council_sitting" };
}

/** A real calendar day written "YYYY-MM-DD". */
function isDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** "HH:MM" of a time written "HH:MM" or "HH:MM:SS"; `null` when it is not a time of day. */
function hoursAndMinutes(text: string): string | null {
  const match = /^(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(text);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) return null;
  return `${match[1]}:${match[2]}`;
}

/**
 * `starts_at` from the form's date and time: "YYYY-MM-DD HH:MM", or "" when neither is given (a
 * meeting not scheduled yet); a problem when only one is given or either is not valid.
 */
export function startsAt(date: string, time: string): { startsAt: string } | { problem: DraftProblem } {
  const day = date.trim();
  const clock = time.trim();
  if (day === "" && clock === "") return { startsAt: "" };
  if (day === "") return { problem: "time_without_date" };
  if (!isDate(day)) return { problem: "bad_date" };
  if (clock === "") return { problem: "date_without_time" };
  const hm = hoursAndMinutes(clock);
  return hm === null ? { problem: "bad_time" } : { startsAt: `${day} ${hm}` };
}

/** The request to send, or the first thing to fix (in the form's order). */
export function checkDraft(draft: MeetingDraft): { request: CreateMeetingRequest } | { problem: DraftProblem } {
  const title = draft.title.trim();
  if (title === "") return { problem: "title_missing" };
  if ([...title].length > TITLE_MAX) return { problem: "title_too_long" };
  const when = startsAt(draft.date, draft.time);
  if ("problem" in when) return when;
  return { request: { title, location: draft.location.trim(), starts_at: when.startsAt, kind: draft.kind } };
}

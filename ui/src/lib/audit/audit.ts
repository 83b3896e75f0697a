// The audit trail (nhật ký thao tác) as the secretariat reads it: every page of it fetched, each
// entry's action in words with a short summary of its facts, its time, newest first, and a filter
// that ignores accents and case. Pure, so tested directly.

import type { Params } from "../i18n/translate";
import type { MessageKey } from "../i18n/vi";
import { roleLabel } from "../meeting/roles";
import type { AuditEntry } from "../protocol/AuditEntry";
import type { AuditPage } from "../protocol/AuditPage";
import type { Outcome } from "../protocol/Outcome";
import type { Role } from "../protocol/Role";
import { foldText } from "../text/fold";
import { outcomeLabel } from "../voting/voting";

/** A message in the current language, as `t` from the locale gives it. */
export type Translate = (key: MessageKey, params?: Params) => string;

/** The words for every action the server writes (docs/protocol.md §3.23). */
const ACTION_LABELS = {
  agenda_item_added: "audit.action.agenda_item_added",
  agenda_item_edited: "audit.action.agenda_item_edited",
  agenda_reordered: "audit.action.agenda_reordered",
  agenda_item_moved: "audit.action.agenda_item_moved",
  agenda_item_removed: "audit.action.agenda_item_removed",
  agenda_published: "audit.action.agenda_published",
  document_added: "audit.action.document_added",
  document_revised: "audit.action.document_revised",
  poll_opened: "audit.action.poll_opened",
  poll_closed: "audit.action.poll_closed",
  poll_cancelled: "audit.action.poll_cancelled",
  current_item_set: "audit.action.current_item_set",
  speech_requested: "audit.action.speech_requested",
  speech_request_withdrawn: "audit.action.speech_request_withdrawn",
  speakers_ordered: "audit.action.speakers_ordered",
  floor_granted: "audit.action.floor_granted",
  speech_ended: "audit.action.speech_ended",
  presenter_set: "audit.action.presenter_set",
  page_presented: "audit.action.page_presented",
  presenting_stopped: "audit.action.presenting_stopped",
  rule_preset_set: "audit.action.rule_preset_set",
  rule_preset_removed: "audit.action.rule_preset_removed",
  attendance_set: "audit.action.attendance_set",
  meeting_quorum_set: "audit.action.meeting_quorum_set",
  ballot_cast: "audit.action.ballot_cast",
  ballot_changed: "audit.action.ballot_changed",
  member_set: "audit.action.member_set",
  meeting_created: "audit.action.meeting_created",
  accounts_created: "audit.action.accounts_created",
  permissions_set: "audit.action.permissions_set",
  hall_link_created: "audit.action.hall_link_created",
  hall_links_revoked: "audit.action.hall_links_revoked",
  opinion_sent: "audit.action.opinion_sent",
  device_revoked: "audit.action.device_revoked",
  login_revoked_device: "audit.action.login_revoked_device",
  login: "audit.action.login",
  login_failed: "audit.action.login_failed",
  password_confirm_failed: "audit.action.password_confirm_failed",
} as const satisfies Record<string, MessageKey>;

/** Every action the panel has words for. */
export const KNOWN_ACTIONS = Object.keys(ACTION_LABELS) as (keyof typeof ACTION_LABELS)[];

const OUTCOMES: readonly Outcome[] = ["passed", "rejected", "no_quorum"];
const ROLES: readonly Role[] = ["chair", "secretariat", "delegate"];

/** The action in words; one the server added later than this app is shown as it is written. */
export function actionLabel(action: string, t: Translate): string {
  // `hasOwn`, so that an action named like an object's own property ("constructor") stays raw.
  return Object.hasOwn(ACTION_LABELS, action) ? t(ACTION_LABELS[action as keyof typeof ACTION_LABELS]) : action;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The detail's JSON object; `null` for anything else, never a throw. */
function parseDetail(detail: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(detail);
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** The value at `path` inside `value`, when every step is an object. */
function at(value: unknown, ...path: string[]): unknown {
  let here = value;
  for (const key of path) {
    if (!isRecord(here)) return undefined;
    here = here[key];
  }
  return here;
}

/** A non-blank text, trimmed; `null` for anything else. */
function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

/**
 * A short summary of the entry's facts where it helps to tell entries apart: the item's, the
 * document's, the poll's or the meeting's title, a poll's result or why it was cancelled, the
 * role given. `null` for other actions and for a detail that is not what was expected.
 */
export function auditSummary(action: string, detail: string, t: Translate): string | null {
  const facts = parseDetail(detail);
  if (!facts) return null;
  switch (action) {
    case "agenda_item_added":
      return text(at(facts, "item", "title"));
    case "agenda_item_edited":
    case "meeting_created":
      return text(facts.title);
    case "document_added":
    case "document_revised":
      return text(at(facts, "document", "title")) ?? text(at(facts, "document", "file_name"));
    case "poll_opened":
      return text(at(facts, "poll", "title"));
    case "poll_closed": {
      const outcome = OUTCOMES.find((known) => known === facts.outcome);
      return outcome ? t("audit.summary.outcome", { outcome: t(outcomeLabel(outcome)) }) : null;
    }
    case "poll_cancelled": {
      const reason = text(facts.reason);
      return reason ? t("audit.summary.reason", { reason }) : null;
    }
    case "member_set": {
      const role = ROLES.find((known) => known === facts.role);
      return role ? t("audit.summary.role", { role: t(roleLabel(role)) }) : null;
    }
    default:
      return null;
  }
}

/** When it happened, "HH:MM:SS dd/mm/yyyy" on 24 hours in this computer's time zone. */
export function auditTime(atMs: number): string {
  const when = new Date(atMs);
  const two = (value: number) => String(value).padStart(2, "0");
  const time = `${two(when.getHours())}:${two(when.getMinutes())}:${two(when.getSeconds())}`;
  return `${time} ${two(when.getDate())}/${two(when.getMonth() + 1)}/${when.getFullYear()}`;
}

/** One entry as the panel shows it. */
export type AuditRow = {
  seq: number;
  atMs: number;
  time: string;
  who: string;
  address: string;
  action: string;
  label: string;
  summary: string | null;
  /** What the filter looks in, folded once rather than at every key typed. */
  searchable: string;
};

/** The entries as the panel shows them, newest first. */
export function auditRows(entries: readonly AuditEntry[], t: Translate): AuditRow[] {
  return [...entries]
    .sort((a, b) => b.seq - a.seq)
    .map((entry) => {
      const label = actionLabel(entry.action, t);
      const summary = auditSummary(entry.action, entry.detail, t);
      const time = auditTime(entry.at_ms);
      return {
        seq: entry.seq,
        atMs: entry.at_ms,
        time,
        who: entry.who,
        address: entry.address,
        action: entry.action,
        label,
        summary,
        searchable: foldText([entry.who, entry.address, label, summary ?? "", time].join("\n")),
      };
    });
}

/**
 * The rows whose person, address, action, summary or time hold every word of `query`, typed
 * with or without accents, in any case; all of them for a blank query.
 */
export function filterRows(rows: readonly AuditRow[], query: string): readonly AuditRow[] {
  const words = foldText(query).split(" ").filter((word) => word !== "");
  if (words.length === 0) return rows;
  return rows.filter((row) => words.every((word) => row.searchable.includes(word)));
}

/**
 * Every entry after `after`, oldest first, asking `fetchPage` again as long as the server says
 * more follow. A page that says more but brings nothing newer ends it, rather than asking forever.
 */
export async function loadTrail(fetchPage: (after: number) => Promise<AuditPage>, after = 0): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let from = after;
  for (;;) {
    const page = await fetchPage(from);
    entries.push(...page.entries);
    const last = page.entries.at(-1);
    if (!page.more || !last || last.seq <= from) return entries;
    from = last.seq;
  }
}

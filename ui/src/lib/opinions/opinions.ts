// Written opinions (góp ý): what may be sent, when it was sent in the hall's time, and the
// meeting's opinions grouped by agenda item for who runs the meeting. Pure, so tested directly.

import { agendaInOrder } from "../agenda/agenda";
import type { MeetingState } from "../protocol/MeetingState";
import type { OpinionView } from "../protocol/OpinionView";

/** The most characters the server takes in one opinion. */
export const MAX_OPINION_CHARS = 10_000;

/** Characters as the server counts them (Unicode scalar values, not UTF-16 units), of what is sent. */
export function opinionLength(text: string): number {
  return [...text.trim()].length;
}

export type OpinionProblem = "blank" | "too_long";

/** What is sent of a draft (its text trimmed), or why it is not sent. */
export function checkOpinion(text: string): { ok: true; text: string } | { ok: false; problem: OpinionProblem } {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, problem: "blank" };
  if (opinionLength(trimmed) > MAX_OPINION_CHARS) return { ok: false, problem: "too_long" };
  return { ok: true, text: trimmed };
}

/** What a send attempt carried: a retry of the same text on the same document keeps its id. */
export type Attempt = { id: string; text: string; documentId: number | null };

/**
 * The id to send `text` (trimmed) about `documentId` with: the last attempt's when it carried the
 * same, so a retry after a lost answer is not kept twice; a new one for anything changed.
 */
export function attemptFor(last: Attempt | null, text: string, documentId: number | null, newId: () => string): Attempt {
  if (last && last.text === text && last.documentId === documentId) return last;
  return { id: newId(), text, documentId };
}

/** Vietnam keeps UTC+7 all year (no daylight saving). */
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/**
 * When an opinion was sent, "HH:MM dd/mm" on 24 hours in the hall's time (Vietnam), so a laptop
 * set to another time zone shows what the minutes will say.
 */
export function opinionTime(sentAt: number): string {
  const vietnam = new Date(sentAt * 1000 + VIETNAM_OFFSET_MS);
  const two = (value: number) => String(value).padStart(2, "0");
  return `${two(vietnam.getUTCHours())}:${two(vietnam.getUTCMinutes())} ${two(vietnam.getUTCDate())}/${two(vietnam.getUTCMonth() + 1)}`;
}

/** The title of the opinion's document, when it is about one that the agenda still lists. */
export function documentTitle(state: MeetingState | null, opinion: OpinionView): string | null {
  if (opinion.document_id === null || !state) return null;
  const found = state.items
    .find((item) => item.id === opinion.item_id)
    ?.documents.find((document) => document.id === opinion.document_id);
  return found ? found.title || found.file_name : null;
}

export type OpinionGroup = {
  itemId: number;
  /** The item's title; `null` for an item no longer on the agenda. */
  title: string | null;
  /** The item's number in the agenda (1-based); `null` for an item no longer on it. */
  number: number | null;
  opinions: OpinionView[];
};

/**
 * The opinions by agenda item, in the agenda's order (items without opinions left out), each
 * item's oldest first; items no longer on the agenda come last.
 */
export function groupByItem(opinions: OpinionView[], state: MeetingState | null): OpinionGroup[] {
  const agenda = state ? agendaInOrder(state) : [];
  const byItem = new Map<number, OpinionView[]>();
  for (const opinion of [...opinions].sort((a, b) => a.sent_at - b.sent_at || a.id - b.id)) {
    const list = byItem.get(opinion.item_id) ?? [];
    list.push(opinion);
    byItem.set(opinion.item_id, list);
  }
  const groups: OpinionGroup[] = [];
  agenda.forEach((item, index) => {
    const list = byItem.get(item.id);
    if (list) groups.push({ itemId: item.id, title: item.title, number: index + 1, opinions: list });
    byItem.delete(item.id);
  });
  for (const [itemId, list] of byItem) groups.push({ itemId, title: null, number: null, opinions: list });
  return groups;
}

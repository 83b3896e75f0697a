// What changed in the meeting between two mirrors, told to the person as short notices: a new
// agenda item, a new document or revision, a poll opened, their turn to speak or to speak next.
// Pure, so it is tested directly; `NoticeTray.svelte` only shows them.
//
// The item under discussion is not a notice here: the meeting screen already tells a councillor
// when the chair moves on, with a button to go there.

import type { MirrorView } from "../backend";
import { t } from "../i18n/locale.svelte";
import type { Params } from "../i18n/translate";
import type { MessageKey } from "../i18n/vi";
import type { Document } from "../protocol/Document";
import type { MeetingState } from "../protocol/MeetingState";
import { floorOf, speechKey } from "../floor/floor";

/** How long a notice stays on the screen while nobody points at or is on the tray. */
export const NOTICE_SHOWN_MS = 12_000;

/** The most notices shown at once, newest first; older ones make way. */
export const MOST_NOTICES_SHOWN = 4;

export type NoticeKind =
  | "your_turn"
  | "you_are_next"
  | "poll_opened"
  | "agenda_published"
  | "item_added"
  | "document_added"
  | "revision";

/** Where a notice's "Xem" takes the person on the meeting screen. */
export type NoticeTarget =
  | { kind: "item"; itemId: number }
  | { kind: "document"; itemId: number; documentId: number }
  | { kind: "poll"; itemId: number; pollId: number }
  | { kind: "floor" };

export type Notice = {
  /** The same change gives the same id, so a mirror seen twice does not tell it twice. */
  id: string;
  kind: NoticeKind;
  /** The words, translated when shown so they follow the language. */
  key: MessageKey;
  params: Params;
  target: NoticeTarget;
};

/**
 * The notices for what changed from `before` to `after`, most pressing first (the floor, then
 * polls, then the agenda and its documents). Nothing on the first mirror of a meeting (`before`
 * `null` or without a state yet) and nothing across two meetings: that is not a change. A person
 * is not told of the changes their role makes (the secretariat uploading, the chair opening a
 * poll): they made them, or sit beside who did. While the agenda is a draft, its items and
 * documents come without notices (the secretariat is still building it); its publishing is one.
 */
export function noticesBetween(before: MirrorView | null, after: MirrorView): Notice[] {
  if (!before?.state || !after.state || before.meeting_id !== after.meeting_id) return [];
  const was = before.state;
  const now = after.state;
  return [
    ...floorNotices(was, now, after.user.id),
    ...(after.may.manage_polls ? [] : pollNotices(was, now)),
    ...(after.may.edit_agenda ? [] : agendaNotices(was, now)),
    ...(after.may.upload_documents || !now.agenda_published ? [] : documentNotices(was, now)),
  ];
}

/** The agenda published, or an item added to a published agenda. */
function agendaNotices(was: MeetingState, now: MeetingState): Notice[] {
  if (!now.agenda_published) return [];
  const first = now.items[0];
  if (!was.agenda_published && first !== undefined) {
    return [
      {
        id: "agenda-published",
        kind: "agenda_published",
        key: "notice.agendaPublished",
        params: {},
        target: { kind: "item", itemId: first.id },
      },
    ];
  }
  return itemNotices(was, now);
}

/**
 * Given the floor, or moved up to be the next speaker. Asking when nobody waits also makes one
 * first, but they have just pressed the button and the panel says so: no notice then.
 */
function floorNotices(was: MeetingState, now: MeetingState, me: number): Notice[] {
  const floorBefore = floorOf(was);
  const floorNow = floorOf(now);
  const speaking = floorNow.speaking;
  if (speaking?.user_id === me) {
    const before = floorBefore.speaking;
    if (before !== null && speechKey(before) === speechKey(speaking)) return [];
    return [{ id: `your-turn:${speechKey(speaking)}`, kind: "your_turn", key: "notice.yourTurn", params: {}, target: { kind: "floor" } }];
  }
  const first = floorNow.queue[0];
  if (first?.user_id !== me) return [];
  const placeBefore = floorBefore.queue.findIndex((request) => request.user_id === me);
  if (placeBefore <= 0) return [];
  return [
    {
      id: `next:${me}@${first.requested_at}`,
      kind: "you_are_next",
      key: "notice.youAreNext",
      params: {},
      target: { kind: "floor" },
    },
  ];
}

/** A poll open now that was not open before; a tally moving is not a change worth telling. */
function pollNotices(was: MeetingState, now: MeetingState): Notice[] {
  const openBefore = new Set(was.polls.filter((poll) => poll.state === "open").map((poll) => poll.id));
  return now.polls
    .filter((poll) => poll.state === "open" && !openBefore.has(poll.id))
    .map((poll) => ({
      id: `poll-opened:${poll.id}`,
      kind: "poll_opened",
      key: "notice.pollOpened",
      params: { title: poll.title },
      target: { kind: "poll", itemId: poll.item_id, pollId: poll.id },
    }));
}

function itemNotices(was: MeetingState, now: MeetingState): Notice[] {
  const known = new Set(was.items.map((item) => item.id));
  return now.items
    .filter((item) => !known.has(item.id))
    .map((item) => ({
      id: `item-added:${item.id}`,
      kind: "item_added",
      key: "notice.itemAdded",
      params: { title: item.title },
      target: { kind: "item", itemId: item.id },
    }));
}

/**
 * A document new on an item that was already there (a new item's documents come with the item's
 * own notice), or a later revision of one.
 */
function documentNotices(was: MeetingState, now: MeetingState): Notice[] {
  const items = new Set(was.items.map((item) => item.id));
  const documents = new Map<number, Document>(was.items.flatMap((item) => item.documents.map((document) => [document.id, document])));
  return now.items
    .filter((item) => items.has(item.id))
    .flatMap((item) =>
      item.documents.flatMap((document): Notice[] => {
        const target: NoticeTarget = { kind: "document", itemId: item.id, documentId: document.id };
        const earlier = documents.get(document.id);
        if (earlier === undefined) {
          return [
            {
              id: `document-added:${document.id}`,
              kind: "document_added",
              key: "notice.documentAdded",
              params: { title: document.title, item: item.title },
              target,
            },
          ];
        }
        if (document.revision <= earlier.revision) return [];
        return [
          {
            id: `revision:${document.id}:${document.revision}`,
            kind: "revision",
            key: "notice.revision",
            params: { title: document.title, revision: document.revision },
            target,
          },
        ];
      }),
    );
}

/** A notice in the current language. */
export function noticeText(notice: Notice): string {
  return t(notice.key, notice.params);
}

/**
 * What a screen reader is told of notices that arrived together: one sentence, never one
 * announcement each.
 */
export function announcement(batch: readonly Notice[]): string {
  if (batch.length === 0) return "";
  if (batch.length === 1) return noticeText(batch[0]);
  return t("notice.announceMany", { count: batch.length, list: batch.map(noticeText).join("; ") });
}

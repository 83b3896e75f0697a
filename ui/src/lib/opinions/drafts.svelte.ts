// Opinions being written, kept per person, meeting and item while the app runs: the item view is
// rebuilt whenever another item is chosen, and a councillor who looks at another item (or is
// taken there) comes back to their text as they left it.

import type { Attempt } from "./opinions";

export class OpinionDraft {
  text = $state("");
  /** The document the opinion is about; `null` for the whole item. */
  documentId = $state<number | null>(null);
  /** The last send that did not come back sent: a retry of the same text keeps its id. */
  attempt = $state<Attempt | null>(null);

  /** The opinion was sent: an empty draft for the next one. */
  clear() {
    this.text = "";
    this.documentId = null;
    this.attempt = null;
  }
}

const drafts = new Map<string, OpinionDraft>();

/** The draft of `userId` on item `itemId` of meeting `meetingId`, empty the first time. */
export function draftFor(meetingId: number, userId: number, itemId: number): OpinionDraft {
  const key = `${meetingId}/${userId}/${itemId}`;
  let draft = drafts.get(key);
  if (!draft) {
    draft = new OpinionDraft();
    drafts.set(key, draft);
  }
  return draft;
}

/** Forgets every draft (between tests). */
export function forgetDrafts(): void {
  drafts.clear();
}

// Follow-the-presenter, as the screen decides it from the mirrored meeting state: who may present,
// who the named presenter is, and which document and revision a follower's reader opens. Pure, so
// it is tested directly; the meeting screen and the reader only draw it.

import type { MirrorView } from "../backend";
import type { Document } from "../protocol/Document";
import type { MeetingState } from "../protocol/MeetingState";
import type { Presentation } from "../protocol/Presentation";

/** The page shown to the meeting now; a snapshot of a server before presenting has none. */
export function presentationOf(state: MeetingState | null): Presentation | null {
  return state?.presenting ?? null;
}

/** The member the chair named to present; `null`: none (or a server before presenting). */
export function presenterOf(state: MeetingState | null): number | null {
  return state?.presenter ?? null;
}

/** Who runs the meeting (chair, secretariat) presents; so does the member the chair named. */
export function mayPresent(view: MirrorView): boolean {
  return view.may.run_meeting || (presenterOf(view.state) !== null && presenterOf(view.state) === view.user.id);
}

/** Who runs the meeting stops any presentation; the one presenting stops their own. */
export function mayStopPresenting(view: MirrorView): boolean {
  const shown = presentationOf(view.state);
  return shown !== null && (view.may.run_meeting || shown.by === view.user.id);
}

/**
 * The named presenter's name as the state knows it: from their presentation, their speech or
 * their place in the queue; `null` when none of these shows it.
 */
export function presenterName(state: MeetingState | null): string | null {
  const presenter = presenterOf(state);
  if (presenter === null || !state) return null;
  const shown = presentationOf(state);
  if (shown?.by === presenter) return shown.name;
  if (state.floor?.speaking?.user_id === presenter) return state.floor.speaking.name;
  return state.floor?.queue.find((request) => request.user_id === presenter)?.name ?? null;
}

/** What a following reader opens: the document, and its earlier `revision` or `null` for the current one. */
export type PresentedDocument = { document: Document; revision: number | null };

/** The presented document among the meeting's, with the revision to read; `null` when it is not there. */
export function presentedDocument(state: MeetingState, shown: Presentation): PresentedDocument | null {
  const document = state.items.flatMap((item) => item.documents).find((candidate) => candidate.id === shown.document_id);
  if (!document) return null;
  return { document, revision: shown.revision === document.revision ? null : shown.revision };
}

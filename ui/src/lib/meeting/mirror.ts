// Which mirror the screen should show when updates race each other.

import type { MirrorView } from "../backend";

/**
 * The mirror to keep when `incoming` arrives while `current` is shown. Events arrive in order, but
 * the answer of `open_meeting` may come after a newer `mirror-changed`; a view of an older log
 * position of the same meeting is then dropped. Equal positions take the newcomer, because live
 * tallies change the mirror without advancing `seq`.
 */
export function pickNewer(current: MirrorView | null, incoming: MirrorView): MirrorView {
  if (current === null || current.meeting_id !== incoming.meeting_id) return incoming;
  return incoming.seq < current.seq ? current : incoming;
}

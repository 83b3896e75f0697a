// What the agenda column and the item panel show, derived from the mirrored meeting state.

import type { AgendaItem } from "../protocol/AgendaItem";
import type { MeetingState } from "../protocol/MeetingState";
import type { Poll } from "../protocol/Poll";

/** Items in agenda order (the server keeps them sorted by `position`; sorting again is cheap). */
export function agendaInOrder(state: MeetingState): AgendaItem[] {
  return [...state.items].sort((a, b) => a.position - b.position || a.id - b.id);
}

/** The item to show: the chosen one while it exists, otherwise the first of the agenda. */
export function selectedItem(state: MeetingState, chosenId: number | null): AgendaItem | null {
  const items = agendaInOrder(state);
  return items.find((item) => item.id === chosenId) ?? items[0] ?? null;
}

/** The polls of one item, in the order they were opened. */
export function pollsOfItem(state: MeetingState, itemId: number): Poll[] {
  return state.polls.filter((poll) => poll.item_id === itemId);
}

export function hasOpenPoll(state: MeetingState, itemId: number): boolean {
  return pollsOfItem(state, itemId).some((poll) => poll.state === "open");
}

/** Open polls of other items, so a councillor reading elsewhere is told that a vote is running. */
export function openPollsElsewhere(state: MeetingState, itemId: number | null): Poll[] {
  return state.polls.filter((poll) => poll.state === "open" && poll.item_id !== itemId);
}

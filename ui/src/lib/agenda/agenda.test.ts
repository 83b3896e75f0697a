import { describe, expect, it } from "vitest";
import { item, meeting, poll } from "../testing/fixtures";
import { agendaInOrder, hasOpenPoll, openPollsElsewhere, pollsOfItem, selectedItem } from "./agenda";

describe("agenda order", () => {
  it("numbers items by position, not by id or arrival", () => {
    const state = meeting([item(5, 2), item(3, 0), item(9, 1)]);
    expect(agendaInOrder(state).map((entry) => entry.id)).toEqual([3, 9, 5]);
  });

  it("does not reorder the mirror it was given", () => {
    const state = meeting([item(5, 1), item(3, 0)]);
    agendaInOrder(state);
    expect(state.items.map((entry) => entry.id)).toEqual([5, 3]);
  });
});

describe("selected item", () => {
  const state = meeting([item(1, 0), item(2, 1)]);

  it("keeps the chosen item", () => {
    expect(selectedItem(state, 2)?.id).toBe(2);
  });

  it("starts at the first item when nothing is chosen", () => {
    expect(selectedItem(state, null)?.id).toBe(1);
  });

  it("falls back to the first item when the chosen one is gone", () => {
    expect(selectedItem(state, 99)?.id).toBe(1);
  });

  it("is empty for an empty agenda", () => {
    expect(selectedItem(meeting([]), 1)).toBeNull();
  });

  it("follows an item added live", () => {
    const grown = meeting([...state.items, item(3, 2)]);
    expect(selectedItem(grown, 3)?.title).toBe("Nội dung 3");
  });
});

describe("polls of an item", () => {
  const state = meeting([item(1, 0), item(2, 1)], [poll(10, 1, "closed"), poll(11, 2), poll(12, 1)]);

  it("keeps the order in which polls were opened", () => {
    expect(pollsOfItem(state, 1).map((entry) => entry.id)).toEqual([10, 12]);
  });

  it("tells whether an item is being voted on", () => {
    expect(hasOpenPoll(state, 1)).toBe(true);
    expect(hasOpenPoll(meeting([item(1, 0)], [poll(10, 1, "closed")]), 1)).toBe(false);
  });

  it("points at open polls of other items", () => {
    expect(openPollsElsewhere(state, 1).map((entry) => entry.id)).toEqual([11]);
    expect(openPollsElsewhere(state, null).map((entry) => entry.id)).toEqual([11, 12]);
  });
});

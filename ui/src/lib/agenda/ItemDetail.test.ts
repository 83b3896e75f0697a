// @vitest-environment happy-dom
// Which poll controls an agenda item shows, for views of every kind: the buttons follow the
// view's `may` and `can_vote_in` as the Rust side computed them, never the role beside them.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import type { Poll } from "../protocol/Poll";
import { capabilities, item, meeting, mirrorView, poll } from "../testing/fixtures";
import ItemDetail from "./ItemDetail.svelte";

/** Every control whose presence depends on who is looking. */
const CONTROLS = [
  "vote-yes",
  "vote-no",
  "vote-abstain",
  "my-vote",
  "does-not-vote",
  "close-poll",
  "open-poll",
] as const;
type Control = (typeof CONTROLS)[number];

const VOTE_BUTTONS: Control[] = ["vote-yes", "vote-no", "vote-abstain"];

let component: ReturnType<typeof mount> | null = null;

afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = "";
});

/** Shows item 2 with `polls` as `view` sees it and lists the controls on screen. */
function controlsShown(view: Partial<MirrorView>, polls: Poll[]): Control[] {
  setLocale("vi");
  const state = meeting([item(1, 0), item(2, 1)], polls);
  component = mount(ItemDetail, {
    target: document.body,
    props: { item: state.items[1], meeting: state, view: mirrorView({ ...view, state }), onOpenDocument: () => {} },
  });
  flushSync();
  return CONTROLS.filter((id) => document.querySelector(`[data-testid="${id}"]`) !== null);
}

const openPoll = poll(5, 2, "open");
const closedPoll = poll(5, 2, "closed");

describe("poll controls follow the view's capabilities", () => {
  it.each<[string, Partial<MirrorView>, Poll[], Control[]]>([
    ["a delegate asked to vote sees the vote buttons", { can_vote_in: [5] }, [openPoll], VOTE_BUTTONS],
    ["a delegate whose view does not list the poll sees no vote buttons", { can_vote_in: [] }, [openPoll], []],
    [
      "a delegate who voted sees the recorded vote",
      { my_ballots: [{ poll_id: 5, choice: "no", marks: null }] },
      [openPoll],
      ["my-vote"],
    ],
    [
      "a secretariat-like view closes the open poll and is told it does not vote",
      { role: "secretariat", may: capabilities({ vote: false, manage_polls: true }) },
      [openPoll],
      ["does-not-vote", "close-poll"],
    ],
    [
      "a secretariat-like view may open a poll on an item without one",
      { role: "secretariat", may: capabilities({ vote: false, manage_polls: true }) },
      [],
      ["open-poll"],
    ],
    [
      "a view that manages polls may open a new one once the last is closed",
      { may: capabilities({ vote: false, manage_polls: true }) },
      [closedPoll],
      ["open-poll"],
    ],
    [
      "a chair-like view votes and closes",
      { role: "chair", may: capabilities({ manage_polls: true }), can_vote_in: [5] },
      [openPoll],
      [...VOTE_BUTTONS, "close-poll"],
    ],
    [
      "the role is not consulted: a chair's role without capabilities shows nothing to press",
      { role: "chair", may: capabilities({ vote: true }), can_vote_in: [] },
      [openPoll],
      [],
    ],
    [
      "the role is not consulted: a delegate's role that may manage polls closes them",
      { role: "delegate", may: capabilities({ manage_polls: true }), can_vote_in: [5] },
      [openPoll],
      [...VOTE_BUTTONS, "close-poll"],
    ],
    [
      "a view that does not vote still sees a vote recorded before",
      { may: capabilities({ vote: false }), my_ballots: [{ poll_id: 5, choice: "yes", marks: null }] },
      [openPoll],
      ["my-vote"],
    ],
  ])("%s", (_behaviour, view, polls, expected) => {
    expect(controlsShown(view, polls)).toEqual(CONTROLS.filter((id) => expected.includes(id)));
  });
});

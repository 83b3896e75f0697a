// Who may present, who the named presenter is, what a follower opens, and the presenter's pages
// sent latest-wins.

import { describe, expect, it, vi } from "vitest";
import type { MeetingState } from "../protocol/MeetingState";
import type { Presentation } from "../protocol/Presentation";
import { capabilities, document as doc, item, meeting, mirrorView, speech, speechRequest } from "../testing/fixtures";
import { LatestWins } from "./latestWins.svelte";
import { mayPresent, mayStopPresenting, presenterName, presentedDocument, presentationOf } from "./presenting";

const shown = (by: number, name: string, page = 0, revision = 1): Presentation => ({ document_id: 11, revision, page, by, name });

function state(overrides: Partial<MeetingState> = {}): MeetingState {
  return { ...meeting([item(1, 0, [doc(11, 1, 12)])]), ...overrides };
}

describe("who may present", () => {
  it("is who runs the meeting, or the member the chair named", () => {
    expect(mayPresent(mirrorView({ may: capabilities({ run_meeting: true }) }))).toBe(true);
    expect(mayPresent(mirrorView())).toBe(false);
    expect(mayPresent(mirrorView({ state: state({ presenter: 3 }) }))).toBe(true);
    expect(mayPresent(mirrorView({ state: state({ presenter: 5 }) }))).toBe(false);
  });

  it("stops a presentation: their own, or any for who runs the meeting; none when nothing is presented", () => {
    expect(mayStopPresenting(mirrorView({ state: state({ presenter: 3, presenting: shown(3, "Ba") }) }))).toBe(true);
    expect(mayStopPresenting(mirrorView({ state: state({ presenting: shown(1, "Chủ") }) }))).toBe(false);
    expect(mayStopPresenting(mirrorView({ may: capabilities({ run_meeting: true }), state: state({ presenting: shown(5, "Năm") }) }))).toBe(true);
    expect(mayStopPresenting(mirrorView({ may: capabilities({ run_meeting: true }) }))).toBe(false);
  });

  it("treats a snapshot of a server before presenting as nothing presented and nobody named", () => {
    const old = { ...state() } as Partial<MeetingState>;
    delete old.presenter;
    delete old.presenting;
    expect(presentationOf(old as MeetingState)).toBeNull();
    expect(mayPresent(mirrorView({ state: old as MeetingState }))).toBe(false);
  });
});

describe("the named presenter's name", () => {
  it("comes from their presentation, their speech or their place in the queue", () => {
    expect(presenterName(state())).toBeNull();
    expect(presenterName(state({ presenter: 5, presenting: shown(5, "Lê Văn Năm") }))).toBe("Lê Văn Năm");
    expect(presenterName(state({ presenter: 5, floor: { queue: [], speaking: speech(5, "Lê Văn Năm", 0) } }))).toBe("Lê Văn Năm");
    expect(presenterName(state({ presenter: 9, floor: { queue: [speechRequest(9, "Phạm Thị Chín")], speaking: null } }))).toBe("Phạm Thị Chín");
    // The chair presenting is not the named presenter.
    expect(presenterName(state({ presenter: 5, presenting: shown(1, "Hoàng Văn Chủ") }))).toBeNull();
  });
});

describe("what a follower opens", () => {
  it("is the presented document, its current revision as such, an earlier one by number", () => {
    const current = presentedDocument(state(), shown(1, "Chủ", 4));
    expect(current?.document.id).toBe(11);
    expect(current?.revision).toBeNull();
    expect(presentedDocument(state(), shown(1, "Chủ", 4, 2))?.revision).toBe(2);
    expect(presentedDocument(state(), { ...shown(1, "Chủ"), document_id: 99 })).toBeNull();
  });
});

describe("latest wins", () => {
  it("sends the first page at once and, of those turned meanwhile, only the last", async () => {
    const sender = new LatestWins();
    const sent: number[] = [];
    let release: () => void = () => {};
    const send = (page: number) => () =>
      new Promise<void>((resolve) => {
        sent.push(page);
        release = resolve;
      });
    const first = sender.run(send(1));
    void sender.run(send(2));
    void sender.run(send(3));
    expect(sent).toEqual([1]);
    expect(sender.busy).toBe(true);
    release();
    await vi.waitFor(() => expect(sent).toEqual([1, 3]));
    release();
    await first;
    expect(sender.busy).toBe(false);
  });

  it("keeps the refusal of the last command, and clears it when the next starts", async () => {
    const sender = new LatestWins();
    await sender.run(() => Promise.reject({ code: "forbidden", message_vi: "Không được", message_en: "No", detail: "" }));
    expect(sender.error?.code).toBe("forbidden");
    await sender.run(() => Promise.resolve());
    expect(sender.error).toBeNull();
  });
});

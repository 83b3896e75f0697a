// What is told when the mirror changes: each kind of notice from two successive states of the
// same meeting, and nothing on the first mirror, across meetings, for a moving tally or for
// changes the person's role makes.

import { beforeEach, describe, expect, it } from "vitest";
import type { MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import type { Floor } from "../protocol/Floor";
import type { MeetingState } from "../protocol/MeetingState";
import { capabilities, document, item, meeting, mirrorView, poll, speech, speechRequest } from "../testing/fixtures";
import { announcement, noticesBetween, noticeText, type Notice } from "./notices";

beforeEach(() => setLocale("vi"));

/** Item 1 with document 10 (revision 1), item 2 without documents, nobody on the floor. */
function base(): MeetingState {
  return meeting([item(1, 0, [document(10, 1)]), item(2, 1)]);
}

/** The delegate Nguyễn Văn Ba (user 3) seeing `state`, changed by `overrides`. */
const as = (state: MeetingState | null, overrides: Partial<MirrorView> = {}): MirrorView => mirrorView({ state, ...overrides });

/** The notices from `before` to `after` as the delegate sees them. */
const between = (before: MeetingState, after: MeetingState, overrides: Partial<MirrorView> = {}) =>
  noticesBetween(as(before, overrides), as(after, overrides));

const withFloor = (floor: Floor): MeetingState => ({ ...base(), floor });

const brief = (notices: Notice[]) => notices.map((notice) => ({ id: notice.id, kind: notice.kind, text: noticeText(notice), target: notice.target }));

describe("each change is told", () => {
  it("a new agenda item, by its title", () => {
    const after = { ...base(), items: [...base().items, { ...item(3, 2), title: "Dự thảo nghị quyết về ngân sách" }] };
    expect(brief(between(base(), after))).toEqual([
      {
        id: "item-added:3",
        kind: "item_added",
        text: "Chương trình họp có thêm nội dung: Dự thảo nghị quyết về ngân sách",
        target: { kind: "item", itemId: 3 },
      },
    ]);
  });

  it("a new document, by its title and its item's", () => {
    const after = meeting([item(1, 0, [document(10, 1)]), item(2, 1, [document(11, 2)])]);
    expect(brief(between(base(), after))).toEqual([
      {
        id: "document-added:11",
        kind: "document_added",
        text: "Tài liệu mới «Tờ trình 11» trong nội dung «Nội dung 2»",
        target: { kind: "document", itemId: 2, documentId: 11 },
      },
    ]);
  });

  it("a new item that comes with documents, once: its documents are in it", () => {
    const after = { ...base(), items: [...base().items, item(3, 2, [document(11, 3), document(12, 3)])] };
    expect(between(base(), after).map((notice) => notice.id)).toEqual(["item-added:3"]);
  });

  it("a new revision of a document, with its number", () => {
    const revised = { ...document(10, 1), revision: 2, earlier: [{ ...document(10, 1) }] };
    const after = meeting([item(1, 0, [revised]), item(2, 1)]);
    expect(brief(between(base(), after))).toEqual([
      {
        id: "revision:10:2",
        kind: "revision",
        text: "Tài liệu «Tờ trình 10» có bản sửa mới (lần 2)",
        target: { kind: "document", itemId: 1, documentId: 10 },
      },
    ]);
  });

  it("a poll opened, by its title", () => {
    const after = { ...base(), polls: [poll(5, 2)] };
    expect(brief(between(base(), after))).toEqual([
      {
        id: "poll-opened:5",
        kind: "poll_opened",
        text: "Bắt đầu biểu quyết: Biểu quyết 5",
        target: { kind: "poll", itemId: 2, pollId: 5 },
      },
    ]);
  });

  it("the floor given to this member", () => {
    const before = withFloor({ queue: [speechRequest(3, "Nguyễn Văn Ba")], speaking: speech(5, "Lê Văn Năm", 1000) });
    const after = withFloor({ queue: [], speaking: speech(3, "Nguyễn Văn Ba", 1200) });
    expect(brief(between(before, after))).toEqual([
      { id: "your-turn:3@1200", kind: "your_turn", text: "Đến lượt bạn phát biểu", target: { kind: "floor" } },
    ]);
  });

  it("this member moving up to speak next", () => {
    const waiting = [speechRequest(5, "Lê Văn Năm"), speechRequest(3, "Nguyễn Văn Ba"), speechRequest(9, "Phạm Thị Chín")];
    const before = withFloor({ queue: waiting, speaking: null });
    const after = withFloor({ queue: waiting.slice(1), speaking: speech(5, "Lê Văn Năm", 1200) });
    expect(brief(between(before, after))).toEqual([
      {
        id: `next:3@${waiting[1].requested_at}`,
        kind: "you_are_next",
        text: "Bạn là người phát biểu tiếp theo",
        target: { kind: "floor" },
      },
    ]);
  });

  it("several at once, the floor first, then polls, then the agenda", () => {
    const before = withFloor({ queue: [speechRequest(5, "Lê Văn Năm"), speechRequest(3, "Nguyễn Văn Ba")], speaking: null });
    const after: MeetingState = {
      ...before,
      items: [item(1, 0, [document(10, 1), document(12, 1)]), item(2, 1), item(3, 2)],
      polls: [poll(5, 1)],
      floor: { queue: [speechRequest(3, "Nguyễn Văn Ba")], speaking: speech(5, "Lê Văn Năm", 1200) },
    };
    expect(between(before, after).map((notice) => notice.kind)).toEqual([
      "you_are_next",
      "poll_opened",
      "item_added",
      "document_added",
    ]);
  });

  it("in the language chosen when shown, not when found", () => {
    const [notice] = between(base(), { ...base(), polls: [poll(5, 2)] });
    setLocale("en");
    expect(noticeText(notice)).toBe("A poll has opened: Biểu quyết 5");
  });
});

describe("nothing is told", () => {
  const changed = (): MeetingState => ({ ...base(), items: [...base().items, item(3, 2)], polls: [poll(5, 2)] });

  it("on the first mirror of a meeting, nor when its state first arrives", () => {
    expect(noticesBetween(null, as(changed()))).toEqual([]);
    expect(noticesBetween(as(null), as(changed()))).toEqual([]);
  });

  it("when the mirror is of another meeting", () => {
    const other = { ...changed(), meeting: { ...changed().meeting, id: 8 } };
    expect(noticesBetween(as(base()), as(other, { meeting_id: 8 }))).toEqual([]);
  });

  it("when the same mirror comes again", () => {
    expect(between(changed(), changed())).toEqual([]);
  });

  it("when only a live tally moves, or the connection drops", () => {
    const open = { ...base(), polls: [poll(5, 2)] };
    const counted = { ...base(), polls: [{ ...poll(5, 2), tally: { ...poll(5, 2).tally, yes: 21, abstain: 1 } }] };
    expect(between(open, counted)).toEqual([]);
    expect(noticesBetween(as(open), as(open, { connection: "offline" }))).toEqual([]);
  });

  it("when a poll closes or is cancelled", () => {
    const open = { ...base(), polls: [poll(5, 2), poll(6, 2)] };
    const ended = { ...base(), polls: [poll(5, 2, "closed"), { ...poll(6, 2, "cancelled"), cancel_reason: "Nhầm" }] };
    expect(between(open, ended)).toEqual([]);
  });

  it("when a document is taken away or an item renamed", () => {
    const renamed = meeting([{ ...item(1, 0), title: "Tên mới" }, item(2, 1)]);
    expect(between(base(), renamed)).toEqual([]);
  });

  it("when the floor changes for others, or the member asks first and is first", () => {
    const others = withFloor({ queue: [speechRequest(5, "Lê Văn Năm"), speechRequest(9, "Phạm Thị Chín")], speaking: null });
    const othersMoved = withFloor({ queue: [speechRequest(9, "Phạm Thị Chín")], speaking: speech(5, "Lê Văn Năm", 1200) });
    expect(between(others, othersMoved)).toEqual([]);
    // They pressed "Xin phát biểu" themselves with nobody waiting: the panel already says "thứ 1".
    expect(between(base(), withFloor({ queue: [speechRequest(3, "Nguyễn Văn Ba")], speaking: null }))).toEqual([]);
  });

  it("while the same speech goes on", () => {
    const mine = withFloor({ queue: [speechRequest(5, "Lê Văn Năm")], speaking: speech(3, "Nguyễn Văn Ba", 1200) });
    const more = withFloor({ queue: [speechRequest(5, "Lê Văn Năm"), speechRequest(9, "Phạm Thị Chín")], speaking: speech(3, "Nguyễn Văn Ba", 1200) });
    expect(between(mine, more)).toEqual([]);
  });

  it.each([
    ["the chair, of the poll they open", capabilities({ manage_polls: true, run_meeting: true }), ["item_added", "document_added"]],
    [
      "the secretariat, of the items and documents they add",
      capabilities({ vote: false, edit_agenda: true, upload_documents: true, manage_polls: true, run_meeting: true }),
      [],
    ],
  ])("to %s", (_who, may, kinds) => {
    const after = { ...base(), items: [item(1, 0, [document(10, 1), document(12, 1)]), item(2, 1), item(3, 2)], polls: [poll(5, 2)] };
    expect(between(base(), after, { may }).map((notice) => notice.kind)).toEqual(kinds);
  });
});

describe("a draft agenda", () => {
  const draft = (state: MeetingState): MeetingState => ({ ...state, agenda_published: false });

  it("tells nothing of the items and documents the secretariat adds to it", () => {
    const after = draft({ ...base(), items: [item(1, 0, [document(10, 1), document(11, 1)]), item(2, 1), item(3, 2)] });
    expect(between(draft(base()), after)).toEqual([]);
  });

  it("tells its publishing once, pointing at its first item, then its new items again", () => {
    const published = between(draft(base()), base());
    expect(brief(published)).toEqual([
      {
        id: "agenda-published",
        kind: "agenda_published",
        text: "Chương trình kỳ họp đã được công bố",
        target: { kind: "item", itemId: 1 },
      },
    ]);
    expect(between(base(), base())).toEqual([]);
    const added = { ...base(), items: [...base().items, item(3, 2)] };
    expect(between(base(), added).map((notice) => notice.kind)).toEqual(["item_added"]);
  });

  it("still tells a poll opened and the floor", () => {
    const after = draft({ ...base(), polls: [poll(5, 1)] });
    expect(between(draft(base()), after).map((notice) => notice.kind)).toEqual(["poll_opened"]);
  });
});

describe("what a screen reader is told", () => {
  it("one notice as it reads, several in one sentence", () => {
    const notices = between(base(), { ...base(), items: [...base().items, item(3, 2)], polls: [poll(5, 2)] });
    expect(announcement([])).toBe("");
    expect(announcement(notices.slice(0, 1))).toBe("Bắt đầu biểu quyết: Biểu quyết 5");
    expect(announcement(notices)).toBe(
      "2 thông báo mới: Bắt đầu biểu quyết: Biểu quyết 5; Chương trình họp có thêm nội dung: Nội dung 3",
    );
  });
});

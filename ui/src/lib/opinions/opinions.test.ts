// What may be sent as an opinion, the id a retry keeps, the hall's time, and the grouping the
// chair and the secretariat read.

import { describe, expect, it } from "vitest";
import type { OpinionView } from "../protocol/OpinionView";
import { document, item, meeting } from "../testing/fixtures";
import { MAX_OPINION_CHARS, attemptFor, checkOpinion, documentTitle, groupByItem, opinionLength, opinionTime } from "./opinions";

const ba = { id: 3, username: "db003", full_name: "Nguyễn Văn Ba", position: "Đại biểu" };
const bon = { id: 4, username: "db004", full_name: "Trần Thị Bốn", position: "Đại biểu" };

/** 08:30 on 1 December 2026, Vietnam time, plus `minutes`. */
const at = (minutes: number) => Date.parse("2026-12-01T01:30:00Z") / 1000 + minutes * 60;

function opinion(id: number, itemId: number, user = ba, sentAt = at(id), documentId: number | null = null): OpinionView {
  return { id, user, item_id: itemId, document_id: documentId, text: `Góp ý ${id}`, sent_at: sentAt };
}

describe("checking a draft", () => {
  it("sends the text trimmed", () => {
    expect(checkOpinion("  Đề nghị bổ sung số liệu.\n\n")).toEqual({ ok: true, text: "Đề nghị bổ sung số liệu." });
  });

  it("keeps the line breaks inside the text", () => {
    expect(checkOpinion("Thứ nhất.\nThứ hai.")).toEqual({ ok: true, text: "Thứ nhất.\nThứ hai." });
  });

  it.each(["", "   ", "\n\t \n"])("does not send a blank draft (%j)", (text) => {
    expect(checkOpinion(text)).toEqual({ ok: false, problem: "blank" });
  });

  it("takes exactly the limit and refuses one character more, counted as the server counts them", () => {
    // "ệ" is one character (one UTF-16 unit precomposed); an emoji is one character, two units.
    expect(checkOpinion("ệ".repeat(MAX_OPINION_CHARS))).toEqual({ ok: true, text: "ệ".repeat(MAX_OPINION_CHARS) });
    expect(checkOpinion("ệ".repeat(MAX_OPINION_CHARS + 1))).toEqual({ ok: false, problem: "too_long" });
    expect(opinionLength("👍".repeat(MAX_OPINION_CHARS))).toBe(MAX_OPINION_CHARS);
    expect(checkOpinion("👍".repeat(MAX_OPINION_CHARS)).ok).toBe(true);
    expect(opinionLength("  ab  ")).toBe(2);
  });
});

describe("the id of an attempt", () => {
  let next = 0;
  const newId = () => `id-${++next}`;

  it("is kept by a retry of the same text on the same document", () => {
    const first = attemptFor(null, "Đề nghị", 21, newId);
    expect(attemptFor(first, "Đề nghị", 21, newId)).toEqual(first);
  });

  it("is new when the text or the document changed", () => {
    const first = attemptFor(null, "Đề nghị", 21, newId);
    const otherText = attemptFor(first, "Đề nghị thêm", 21, newId);
    const otherDocument = attemptFor(first, "Đề nghị", null, newId);
    expect(new Set([first.id, otherText.id, otherDocument.id]).size).toBe(3);
    expect(otherDocument).toEqual({ id: otherDocument.id, text: "Đề nghị", documentId: null });
  });
});

describe("the time of an opinion", () => {
  it("is HH:MM dd/mm in Vietnam time, whatever the laptop's time zone", () => {
    expect(opinionTime(at(0))).toBe("08:30 01/12");
    // 23:05 UTC on 31 December is already 06:05 on 1 January in Hà Nội.
    expect(opinionTime(Date.parse("2026-12-31T23:05:00Z") / 1000)).toBe("06:05 01/01");
  });
});

describe("grouping by item", () => {
  const state = meeting([item(1, 1, [document(11, 1)]), item(2, 0, [document(21, 2)])]);

  it("follows the agenda's order, each item's opinions oldest first, items without any left out", () => {
    const groups = groupByItem([opinion(3, 1, bon, at(9)), opinion(1, 1, ba, at(5)), opinion(2, 2)], state);
    expect(groups.map((group) => [group.itemId, group.number, group.title, group.opinions.map((o) => o.id)])).toEqual([
      [2, 1, "Nội dung 2", [2]],
      [1, 2, "Nội dung 1", [1, 3]],
    ]);
    expect(groupByItem([opinion(1, 2)], state).map((group) => group.itemId)).toEqual([2]);
  });

  it("puts opinions on an item no longer on the agenda last, without a title", () => {
    const groups = groupByItem([opinion(1, 9), opinion(2, 1)], state);
    expect(groups.map((group) => [group.itemId, group.title, group.number])).toEqual([
      [1, "Nội dung 1", 2],
      [9, null, null],
    ]);
  });

  it("names the document an opinion is about, when the item still has it", () => {
    expect(documentTitle(state, opinion(1, 2, ba, at(1), 21))).toBe("Tờ trình 21");
    expect(documentTitle(state, opinion(1, 2, ba, at(1), 11))).toBeNull();
    expect(documentTitle(state, opinion(1, 2))).toBeNull();
  });
});

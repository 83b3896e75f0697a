// The marked words of a search hit are cut out by characters, as the Rust side counts them.

import { describe, expect, it } from "vitest";
import { markedParts } from "./search";

describe("markedParts", () => {
  it("marks the words found, in the document's own spelling", () => {
    expect(markedParts("…triển khai Phòng họp không giấy tờ…", [{ start: 12, end: 32 }])).toEqual([
      { text: "…triển khai ", marked: false },
      { text: "Phòng họp không giấy", marked: true },
      { text: " tờ…", marked: false },
    ]);
  });

  it("counts characters beyond the basic plane as one, like Rust", () => {
    expect(markedParts("𝐀 đại biểu", [{ start: 2, end: 10 }])).toEqual([
      { text: "𝐀 ", marked: false },
      { text: "đại biểu", marked: true },
    ]);
  });

  it("keeps text whole when marks are empty, overlapping or out of range", () => {
    expect(markedParts("xã", [])).toEqual([{ text: "xã", marked: false }]);
    expect(
      markedParts("ab cd", [
        { start: 3, end: 9 },
        { start: 0, end: 2 },
        { start: 1, end: 2 },
      ]),
    ).toEqual([
      { text: "ab", marked: true },
      { text: " ", marked: false },
      { text: "cd", marked: true },
    ]);
  });
});

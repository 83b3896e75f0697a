import { describe, expect, it } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import type { BallotForm } from "../protocol/BallotForm";
import { marksPoll } from "../testing/fixtures";
import { MAX_LINES, checkDraft, marksProblem, parseLines, resultSentences } from "./ballot";

const election: BallotForm = { type: "election", candidates: ["An", "Bình", "Cường"], seats: 2 };

describe("the chair's draft", () => {
  it("reads one line per line, trimmed, without empty lines", () => {
    expect(parseLines(" An \r\n\n  \nBình\n")).toEqual(["An", "Bình"]);
  });

  it.each([
    ["a motion", { kind: "motion", lines: "anything", count: null }, null],
    ["options", { kind: "options", lines: "Một\nHai", count: 1 }, { type: "options", options: ["Một", "Hai"], max_picks: 1 }],
    ["an election", { kind: "election", lines: "An\nBình\nCường", count: 3 }, { type: "election", candidates: ["An", "Bình", "Cường"], seats: 3 }],
    ["a confidence vote, whatever its count", { kind: "confidence", lines: "An", count: null }, { type: "confidence", persons: ["An"] }],
  ] as const)("sends %s", (_what, draft, ballot) => {
    expect(checkDraft({ ...draft })).toEqual({ ok: true, ballot });
  });

  it.each([
    ["one option", { kind: "options", lines: "Một", count: 1 }, "ballotForm.tooFewOptions", "lines"],
    ["no candidate", { kind: "election", lines: " \n ", count: 1 }, "ballotForm.noLines", "lines"],
    ["no seat", { kind: "election", lines: "An\nBình", count: 0 }, "ballotForm.badSeats", "count"],
    ["no count at all", { kind: "yes_no_each", lines: "An\nBình", count: null }, "ballotForm.badSeats", "count"],
    ["more picks than options", { kind: "options", lines: "Một\nHai", count: 3 }, "ballotForm.badPicks", "count"],
    ["a name twice, accents aside", { kind: "confidence", lines: "Đỗ Văn An\ndo van  AN", count: null }, "ballotForm.sameLineTwice", "lines"],
    ["too many lines", { kind: "confidence", lines: Array.from({ length: MAX_LINES + 1 }, (_, n) => `Người ${n}`).join("\n"), count: null }, "ballotForm.tooManyLines", "lines"],
  ] as const)("refuses %s", (_what, draft, key, field) => {
    const checked = checkDraft({ ...draft });
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.problem.key).toBe(key);
      expect(checked.field).toBe(field);
    }
  });
});

describe("a ballot of marks", () => {
  it("may be blank, but not choose more than the seats", () => {
    expect(marksProblem(election, [0, 0, 0])).toBeNull();
    expect(marksProblem(election, [1, 0, 1])).toBeNull();
    expect(marksProblem(election, [1, 1, 1])?.key).toBe("ballot.chooseUpTo");
  });

  it("needs an answer for every person, and no more đồng ý than seats", () => {
    const confidence: BallotForm = { type: "confidence", persons: ["An", "Bình", "Cường"] };
    expect(marksProblem(confidence, [0, null, null])).toEqual({ key: "ballot.unmarked", params: { names: "Bình, Cường" } });
    expect(marksProblem(confidence, [2, 2, 2])).toBeNull();
    const yesNo: BallotForm = { type: "yes_no_each", candidates: ["An", "Bình"], seats: 1 };
    expect(marksProblem(yesNo, [0, 0])?.key).toBe("ballot.agreeUpTo");
    expect(marksProblem(yesNo, [0, 2])).toBeNull();
  });
});

describe("a closed poll's result in words", () => {
  it("names who was elected and who tied for the last seat", () => {
    setLocale("vi");
    const poll = { ...marksPoll(3, 1, election, "closed"), outcome: "passed" as const, line_outcomes: ["reached", "tied", "tied"] as const };
    expect(resultSentences({ ...poll, line_outcomes: [...poll.line_outcomes] })).toEqual([
      "Trúng cử: An",
      "Bằng phiếu, cần bầu lại: Bình, Cường",
    ]);
  });

  it("says nobody was elected, or that the quorum was missing", () => {
    setLocale("vi");
    const poll = marksPoll(3, 1, election, "closed");
    expect(resultSentences({ ...poll, outcome: "rejected", line_outcomes: ["not_reached", "not_reached", "not_reached"] })).toEqual([
      "Không ai trúng cử",
    ]);
    expect(resultSentences({ ...poll, outcome: "no_quorum" })).toEqual(["Không đủ số đại biểu có mặt"]);
    expect(resultSentences({ ...poll, state: "open", outcome: null })).toEqual([]);
  });
});

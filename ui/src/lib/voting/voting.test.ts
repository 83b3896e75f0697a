import { describe, expect, it } from "vitest";
import { translate } from "../i18n/translate";
import type { Outcome } from "../protocol/Outcome";
import { choiceLabel, outcomeLabel, recordedBallot, tallyRows } from "./voting";

describe("outcome labels", () => {
  it.each([
    ["passed", "Thông qua", "Passed"],
    ["rejected", "Không thông qua", "Rejected"],
    ["no_quorum", "Không đủ số đại biểu có mặt", "No quorum"],
  ] as const)("%s reads %s / %s", (outcome: Outcome, vietnamese, english) => {
    expect(translate("vi", outcomeLabel(outcome))).toBe(vietnamese);
    expect(translate("en", outcomeLabel(outcome))).toBe(english);
  });
});

describe("choice labels", () => {
  it("names the vote after the recorded choice", () => {
    const label = translate("vi", choiceLabel("yes"));
    expect(translate("vi", "poll.myVote", { choice: label })).toBe("Bạn đã biểu quyết: Tán thành");
    expect(translate("en", choiceLabel("abstain"))).toBe("Abstain");
    expect(translate("vi", choiceLabel("no"))).toBe("Không tán thành");
  });
});

describe("my ballots", () => {
  const ballots = [
    { poll_id: 4, choice: "no" as const, marks: null },
    { poll_id: 9, choice: "yes" as const, marks: null },
    { poll_id: 11, choice: null, marks: null },
  ];

  it("finds the ballot of the poll asked for", () => {
    expect(recordedBallot(ballots, 9)?.choice).toBe("yes");
    expect(recordedBallot(ballots, 4)?.choice).toBe("no");
  });

  it("knows a secret ballot was cast though its choice is not told", () => {
    expect(recordedBallot(ballots, 11)).toEqual({ poll_id: 11, choice: null, marks: null });
  });

  it("knows when the caller has not voted", () => {
    expect(recordedBallot(ballots, 5)).toBeNull();
    expect(recordedBallot([], 9)).toBeNull();
  });
});

describe("tally rows", () => {
  it("lists yes, no, abstain in that order with their counts", () => {
    const rows = tallyRows({ members: 34, present: 30, yes: 20, no: 3, abstain: 2, sealed: 0 });
    expect(rows).toEqual([
      { choice: "yes", count: 20 },
      { choice: "no", count: 3 },
      { choice: "abstain", count: 2 },
    ]);
  });
});

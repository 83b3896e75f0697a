// @vitest-environment happy-dom
// A poll card for a ballot of marks: an election's ticks stop at the seats and one ballot is sent
// however fast "Gửi phiếu" is pressed; a confidence vote asks an answer for every person; a named
// ballot shows what was marked, a secret one never; a changeable ballot is changed and sent again;
// a closed poll says line by line who was elected, a tie included.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import type { BallotForm } from "../protocol/BallotForm";
import type { MyBallot } from "../protocol/MyBallot";
import type { Poll } from "../protocol/Poll";
import { capabilities, marksPoll } from "../testing/fixtures";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import { cancelReconfirmation } from "./ensureConfirmed";
import PollCard from "./PollCard.svelte";
import { confirmed, setReconfirmAfter, watchActivity } from "./reconfirm.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

afterEach(() => {
  cleanUp(component);
  component = null;
});

const CANDIDATES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"];
const election: BallotForm = { type: "election", candidates: CANDIDATES, seats: 2 };
const confidence: BallotForm = { type: "confidence", persons: ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"] };

function show(poll: Poll, recorded: MyBallot | null = null, votable = true, answer: () => unknown = () => null) {
  setLocale("vi");
  calls = recordCalls(answer);
  component = mount(PollCard, {
    target: document.body,
    props: { poll, recorded, may: capabilities(), votable },
  });
  flushSync();
}

function lines(): HTMLInputElement[] {
  return [...document.querySelectorAll<HTMLInputElement>('input[data-testid="ballot-line"]')];
}

function tick(index: number) {
  lines()[index].click();
  flushSync();
}

function mark(line: number, value: number) {
  (byTestId(`ballot-mark-${line}-${value}`) as HTMLInputElement).click();
  flushSync();
}

async function recorded(): Promise<HTMLElement> {
  return vi.waitFor(() => {
    const shown = byTestId("my-vote");
    if (!shown) throw new Error("not recorded yet");
    return shown;
  });
}

const castMarks = () => calls.filter((call) => call.command === "cast_marks");

describe("an election ballot", () => {
  it("cannot tick more candidates than there are seats, and sends the marks once however fast it is pressed", async () => {
    show(marksPoll(21, 2, election), null, true, () => new Promise((resolve) => setTimeout(() => resolve(null), 50)));
    expect(byTestId("poll-kind")!.textContent).toContain("Bầu cử — chọn tối đa số người cần bầu");
    expect(document.querySelector("legend")!.textContent).toContain("Chọn tối đa 2");
    expect(lines().map((box) => box.closest("label")!.textContent!.trim())).toEqual(CANDIDATES);
    expect(byTestId("ballot-blank")!.textContent).toContain("phiếu trắng");

    tick(0);
    tick(2);
    expect(byTestId("ballot-chosen")!.textContent).toContain("Đã chọn 2 / 2");
    expect(byTestId("ballot-limit-note")!.textContent).toContain("Đã chọn đủ 2");
    // The seats are filled: the others cannot be ticked until one is unticked.
    expect(lines().map((box) => box.disabled)).toEqual([false, true, false, true]);
    tick(3);
    expect(lines().map((box) => box.checked)).toEqual([true, false, true, false]);
    tick(2);
    tick(3);
    expect(lines().map((box) => box.checked)).toEqual([true, false, false, true]);

    byTestId("send-ballot")!.click();
    byTestId("send-ballot")?.click();
    flushSync();
    const vote = await recorded();
    byTestId("send-ballot")?.click();
    expect(castMarks()).toEqual([{ command: "cast_marks", args: { pollId: 21, marks: [1, 0, 0, 1] } }]);
    expect(vote.textContent).toContain("Đã ghi nhận phiếu của bạn");
    // A named ballot says what was marked.
    const marks = byTestId("my-marks")!;
    expect(marks.dataset.marks).toBe("1,0,0,1");
    expect(marks.textContent).toContain("Nguyễn Văn An");
    expect(marks.textContent).toContain("Chọn");
    expect(byTestId("marks-ballot")).toBeNull();
    await vi.waitFor(() => expect(document.activeElement).toBe(vote));
  });

  it("yes/no per candidate agrees with no more candidates than seats", () => {
    show(marksPoll(22, 2, { type: "yes_no_each", candidates: CANDIDATES.slice(0, 3), seats: 1 }));
    mark(0, 0);
    const agreeWithBinh = byTestId("ballot-mark-1-0") as HTMLInputElement;
    expect(agreeWithBinh.disabled).toBe(true);
    expect(byTestId("ballot-limit-note")!.textContent).toContain("Đã đồng ý đủ 1 người");
    expect((byTestId("ballot-mark-1-1") as HTMLInputElement).disabled).toBe(false);
    // The legend of each group is the candidate's name.
    expect([...document.querySelectorAll("fieldset legend")].map((legend) => legend.textContent!.trim())).toEqual(
      CANDIDATES.slice(0, 3),
    );
  });
});

describe("a confidence ballot", () => {
  it("is sent only once every person has an answer", async () => {
    show(marksPoll(23, 2, confidence));
    const labels = [...document.querySelectorAll('[data-testid="ballot-line"] label')].map((label) => label.textContent!.trim());
    expect(labels.slice(0, 3)).toEqual(["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"]);
    mark(0, 0);
    mark(2, 2);
    byTestId("send-ballot")!.click();
    flushSync();
    expect(byTestId("ballot-problem")!.textContent).toContain("Bạn chưa đánh dấu: Trần Thị Bình");
    expect(byTestId("ballot-problem")!.getAttribute("role")).toBe("alert");
    expect(document.querySelector('[data-line="1"]')!.classList.contains("unmarked")).toBe(true);
    expect(castMarks()).toEqual([]);

    mark(1, 1);
    expect(byTestId("ballot-problem")).toBeNull();
    byTestId("send-ballot")!.click();
    await recorded();
    expect(castMarks()).toEqual([{ command: "cast_marks", args: { pollId: 23, marks: [0, 1, 2] } }]);
  });
});

describe("a secret ballot of marks", () => {
  it("shows only how many have voted while open, and after the ballot never what was marked", async () => {
    const poll = {
      ...marksPoll(24, 2, election),
      secrecy: "secret" as const,
      tally: { members: 34, present: 30, yes: 0, no: 0, abstain: 0, sealed: 9, counts: CANDIDATES.map(() => [0, 0]) },
    };
    show(poll);
    expect(byTestId("turnout")!.textContent).toContain("Đã bỏ phiếu: 9 / 34 đại biểu");
    expect(byTestId("tally-line")).toBeNull();
    expect(byTestId("secret-note")).not.toBeNull();
    tick(1);
    byTestId("send-ballot")!.click();
    const vote = await recorded();
    expect(castMarks()).toEqual([{ command: "cast_marks", args: { pollId: 24, marks: [0, 1, 0, 0] } }]);
    expect(vote.dataset.choice).toBe("secret");
    expect(vote.textContent).toContain("Đã ghi nhận phiếu của bạn");
    expect(vote.textContent).toContain("phiếu kín");
    expect(byTestId("my-marks")).toBeNull();
    expect(byTestId("marks-ballot")).toBeNull();
    expect(byTestId("change-ballot")).toBeNull();
    expect(document.querySelectorAll("input:checked").length).toBe(0);
  });

  it("shows nothing of the ballot once closed either, though the server says one was cast", () => {
    const poll: Poll = {
      ...marksPoll(25, 2, election, "closed"),
      secrecy: "secret",
      outcome: "passed",
      line_outcomes: ["reached", "not_reached", "not_reached", "not_reached"],
      tally: { members: 34, present: 30, yes: 0, no: 0, abstain: 0, sealed: 0, counts: [[10, 20], [25, 5], [28, 2], [27, 3]] },
    };
    show(poll, { poll_id: 25, choice: null, marks: null }, false);
    expect(byTestId("my-marks")).toBeNull();
    expect(byTestId("my-vote")).toBeNull();
    expect(byTestId("poll-outcome")!.textContent).toContain("Trúng cử: Nguyễn Văn An");
  });
});

describe("a named, changeable ballot", () => {
  it("shows what was marked and lets it be changed and sent again", async () => {
    const poll = { ...marksPoll(26, 2, election), changeable: true };
    show(poll, { poll_id: 26, choice: null, marks: [0, 1, 1, 0] });
    expect(byTestId("my-vote")!.textContent).toContain("Đã ghi nhận phiếu của bạn");
    expect(byTestId("my-marks")!.dataset.marks).toBe("0,1,1,0");
    expect(byTestId("marks-ballot")).toBeNull();

    byTestId("change-ballot")!.click();
    flushSync();
    // The ballot opens as it was sent, focus on its first line that can be changed (both seats
    // are taken, so the first unticked one cannot be ticked).
    expect(lines().map((box) => box.checked)).toEqual([false, true, true, false]);
    expect(lines()[0].disabled).toBe(true);
    await vi.waitFor(() => expect(document.activeElement).toBe(lines()[1]));
    // Kept as sent: nothing goes, and the ballot closes again.
    byTestId("keep-ballot")!.click();
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("change-ballot")));
    expect(castMarks()).toEqual([]);
    byTestId("change-ballot")!.click();
    flushSync();
    tick(2);
    tick(0);
    byTestId("send-ballot")!.click();
    await vi.waitFor(() => expect(byTestId("my-marks")!.dataset.marks).toBe("1,1,0,0"));
    expect(castMarks()).toEqual([{ command: "cast_marks", args: { pollId: 26, marks: [1, 1, 0, 0] } }]);
    expect(byTestId("marks-ballot")).toBeNull();
  });
});

describe("the results of a poll of marks", () => {
  it("gives every line its counts and how it came out, a tie for the last seat included", () => {
    const poll: Poll = {
      ...marksPoll(27, 2, election, "closed"),
      outcome: "passed",
      line_outcomes: ["reached", "tied", "tied", "not_reached"],
      tally: {
        members: 34,
        present: 30,
        yes: 0,
        no: 0,
        abstain: 0,
        sealed: 0,
        counts: [
          [4, 26],
          [12, 18],
          [12, 18],
          [29, 1],
        ],
      },
    };
    show(poll, { poll_id: 27, choice: null, marks: [1, 1, 0, 0] }, false);
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="tally-line"]')];
    expect(rows.map((row) => [row.dataset.counts, row.dataset.outcome])).toEqual([
      ["4,26", "reached"],
      ["12,18", "tied"],
      ["12,18", "tied"],
      ["29,1", "not_reached"],
    ]);
    expect(rows.map((row) => row.querySelector('[data-testid="line-outcome"]')!.textContent!.trim())).toEqual([
      "Trúng cử",
      "Bằng phiếu — bầu lại",
      "Bằng phiếu — bầu lại",
      "Không trúng cử",
    ]);
    expect(rows[0].textContent).toContain("Chọn: 26");
    expect(rows[0].textContent).toContain("Không chọn: 4");
    // The bar is the share of all members who chose the line: 26 of 34.
    const bar = rows[0].querySelector<HTMLElement>('[data-testid="tally-line-bar"]')!;
    expect(Math.round(parseFloat(bar.style.width))).toBe(76);
    expect(byTestId("lines-cast")!.textContent).toContain("Đã bỏ phiếu: 30 / 34 đại biểu");
    const outcome = byTestId("poll-outcome")!;
    expect(outcome.textContent).toContain("Trúng cử: Nguyễn Văn An");
    expect(outcome.textContent).toContain("Bằng phiếu, cần bầu lại: Trần Thị Bình, Lê Văn Cường");
    expect(outcome.textContent).not.toContain("Thông qua");
    // The voter's own named ballot, as the server kept it.
    expect(byTestId("my-marks")!.dataset.marks).toBe("1,1,0,0");
  });

  it("names the people rated low confidence by the rule's share, and says no for the others", () => {
    const poll: Poll = {
      ...marksPoll(28, 2, confidence, "closed"),
      outcome: "passed",
      line_outcomes: ["not_reached", "reached", "not_reached"],
      tally: { members: 34, present: 30, yes: 0, no: 0, abstain: 0, sealed: 0, counts: [[20, 8, 2], [3, 9, 18], [10, 10, 10]] },
    };
    show(poll, null, false);
    const outcomes = [...document.querySelectorAll('[data-testid="line-outcome"]')].map((shown) => shown.textContent!.trim());
    expect(outcomes).toEqual(["Không quá tỉ lệ", "Tín nhiệm thấp quá tỉ lệ", "Không quá tỉ lệ"]);
    expect(byTestId("poll-outcome")!.textContent).toContain("Tín nhiệm thấp quá tỉ lệ: Trần Thị Bình");
    const second = document.querySelectorAll('[data-testid="tally-line"]')[1];
    expect(second.textContent).toContain("Tín nhiệm cao: 3");
    expect(second.textContent).toContain("Tín nhiệm: 9");
    expect(second.textContent).toContain("Tín nhiệm thấp: 18");
  });
});

describe("a secret ballot of marks after the laptop was left untouched", () => {
  const START = Date.parse("2026-12-01T01:00:00Z");
  let stopWatching: (() => void) | null = null;

  /** A secret election shown at START, its first two candidates ticked `idleMinutes` later by a hand. */
  function tickAfter(idleMinutes: number) {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(START);
    setReconfirmAfter(5);
    confirmed();
    stopWatching = watchActivity();
    show({ ...marksPoll(21, 2, election), secrecy: "secret" }, null, true, () => null);
    vi.setSystemTime(START + idleMinutes * 60_000);
    for (const index of [0, 1]) {
      lines()[index].dispatchEvent(new Event("pointerdown", { bubbles: true }));
      tick(index);
    }
  }

  function send() {
    byTestId("send-ballot")!.focus();
    byTestId("send-ballot")!.click();
    flushSync();
  }

  afterEach(() => {
    cancelReconfirmation();
    stopWatching?.();
    stopWatching = null;
    vi.useRealTimers();
  });

  it("asks for the password before sending; a cancel keeps the marks and sends nothing, the password sends them once", async () => {
    tickAfter(6);
    send();
    expect(byTestId("reconfirm-dialog")).not.toBeNull();
    byTestId("reconfirm-cancel")!.click();
    flushSync();
    expect(byTestId("reconfirm-dialog")).toBeNull();
    expect(lines().map((box) => box.checked)).toEqual([true, true, false, false]);
    expect((byTestId("send-ballot") as HTMLButtonElement).disabled).toBe(false);
    expect(calls).toEqual([]);

    send();
    send();
    const field = byTestId("reconfirm-password") as HTMLInputElement;
    field.value = "đúng";
    field.dispatchEvent(new Event("input", { bubbles: true }));
    byTestId("reconfirm-submit")!.click();
    expect((await recorded()).dataset.choice).toBe("secret");
    expect(calls.map((call) => call.command)).toEqual(["confirm_password", "cast_marks"]);
    expect(castMarks()).toEqual([{ command: "cast_marks", args: { pollId: 21, marks: [1, 1, 0, 0] } }]);
  });

  it("sends at once when the laptop is in use", async () => {
    tickAfter(4);
    send();
    expect(byTestId("reconfirm-dialog")).toBeNull();
    await recorded();
    expect(calls.map((call) => call.command)).toEqual(["cast_marks"]);
  });
});

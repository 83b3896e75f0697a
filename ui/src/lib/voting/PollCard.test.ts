// @vitest-environment happy-dom
// A poll card names its rule and source; a closed poll's card saves its signed record (PDF or
// CSV) and says where it went and whose key signed it; an open poll has no record yet.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import { capabilities, poll } from "../testing/fixtures";
import { cancelReconfirmation } from "./ensureConfirmed";
import PollCard from "./PollCard.svelte";
import { confirmed, setReconfirmAfter, watchActivity } from "./reconfirm.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

afterEach(() => {
  cleanUp(component);
  component = null;
});

function show(state: "open" | "closed", closesAt: number | null = null, clockOffsetMs = 0, yesNeeded: number | null = null) {
  setLocale("vi");
  calls = recordCalls(() => ({ path: "/home/db003/Downloads/Biên bản biểu quyết 1-6.pdf", fingerprint: "ab12 cd34 ef56 7890" }));
  component = mount(PollCard, {
    target: document.body,
    props: {
      poll: { ...poll(6, 2, state), closes_at: closesAt },
      recorded: null,
      may: capabilities(),
      votable: false,
      clockOffsetMs,
      yesNeeded,
    },
  });
  flushSync();
}

describe("a poll card", () => {
  it("counts a timed poll down every second and says when the time is up", () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(new Date("2026-12-01T01:15:00Z"));
      const closesAt = Date.parse("2026-12-01T01:16:05Z") / 1000;
      show("open", closesAt);
      expect(byTestId("poll-countdown")!.textContent).toContain("Còn 1:05 để biểu quyết");
      vi.advanceTimersByTime(60_000);
      flushSync();
      expect(byTestId("poll-countdown")!.textContent).toContain("Còn 0:05 để biểu quyết");
      vi.advanceTimersByTime(6_000);
      flushSync();
      expect(byTestId("poll-countdown")!.textContent).toContain("Hết giờ, đang kết thúc biểu quyết");
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts by the server's clock, not a laptop's that runs two minutes slow", () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(new Date("2026-12-01T01:13:00Z"));
      show("open", Date.parse("2026-12-01T01:16:05Z") / 1000, 120_000);
      expect(byTestId("poll-countdown")!.textContent).toContain("Còn 1:05 để biểu quyết");
    } finally {
      vi.useRealTimers();
    }
  });

  it("draws the counts as bars against all members, with the yes votes that pass it", () => {
    // 34 members, 20 yes: more than half of all members needs 18 (the Rust side's figure).
    show("open", null, 0, 18);
    expect(byTestId("yes-needed")!.textContent).toContain("Cần 18 phiếu tán thành trên 34 đại biểu để thông qua");
    const widths = [...document.querySelectorAll<HTMLElement>('[data-testid="tally-bar"]')].map((bar) => [
      bar.dataset.choice,
      Math.round(parseFloat(bar.style.width)),
    ]);
    expect(widths).toEqual([
      ["yes", 59],
      ["no", 9],
      ["abstain", 6],
    ]);
  });

  it("sends one ballot however fast the button is pressed twice", async () => {
    setLocale("vi");
    calls = recordCalls(() => new Promise((resolve) => setTimeout(() => resolve({ kind: "ballot_recorded" }), 50)));
    component = mount(PollCard, {
      target: document.body,
      props: { poll: poll(6, 2, "open"), recorded: null, may: capabilities(), votable: true },
    });
    flushSync();
    byTestId("vote-yes")!.click();
    byTestId("vote-yes")?.click();
    flushSync();
    await vi.waitFor(() => expect(byTestId("my-vote")).not.toBeNull());
    byTestId("vote-no")?.click();
    expect(calls.filter((call) => call.command === "cast_ballot")).toEqual([
      { command: "cast_ballot", args: { pollId: 6, choice: "yes" } },
    ]);
  });

  it("shows no countdown for a poll the chair closes", () => {
    show("open");
    expect(byTestId("poll-countdown")).toBeNull();
  });

  it("names the rule and where in law it comes from", () => {
    show("open");
    expect(byTestId("poll-rule")!.textContent).toContain("Thông qua nghị quyết:");
    expect(byTestId("poll-rule")!.textContent).toContain("Quá nửa tổng số đại biểu");
    expect(byTestId("poll-rule-source")!.textContent).toContain("Luật Tổ chức chính quyền địa phương 2025");
    expect(byTestId("record-pdf")).toBeNull();
  });

  it("saves a closed poll's signed record and says where it went and whose key signed it", async () => {
    show("closed");
    byTestId("record-pdf")!.click();
    const saved = await vi.waitFor(() => {
      const shown = byTestId("record-saved");
      if (!shown) throw new Error("not saved yet");
      return shown;
    });
    expect(calls).toEqual([{ command: "save_poll_record", args: { pollId: 6, format: "pdf" } }]);
    expect(saved.textContent).toContain("Đã lưu biên bản: /home/db003/Downloads/Biên bản biểu quyết 1-6.pdf");
    expect(saved.textContent).toContain("Chữ ký số của máy chủ hợp lệ — mã khoá ab12 cd34 ef56 7890");
  });

  it("shows only how many have voted in an open secret poll, and after a ballot never the choice", async () => {
    setLocale("vi");
    calls = recordCalls(() => ({ kind: "ballot_recorded" }));
    const secret = {
      ...poll(7, 2, "open"),
      secrecy: "secret" as const,
      tally: { members: 34, present: 30, yes: 0, no: 0, abstain: 0, sealed: 12 },
    };
    component = mount(PollCard, {
      target: document.body,
      props: { poll: secret, recorded: null, may: capabilities(), votable: true },
    });
    flushSync();
    expect(byTestId("poll-secret")!.textContent).toContain("Bỏ phiếu kín");
    expect(byTestId("turnout")!.textContent).toContain("Đã bỏ phiếu: 12 / 34 đại biểu");
    expect(byTestId("tally-bar")).toBeNull();
    expect(byTestId("secret-note")!.textContent).toContain("kể cả người quản trị máy chủ");
    byTestId("vote-no")!.click();
    const voted = await vi.waitFor(() => {
      const shown = byTestId("my-vote");
      if (!shown) throw new Error("not recorded yet");
      return shown;
    });
    expect(calls).toEqual([{ command: "cast_ballot", args: { pollId: 7, choice: "no" } }]);
    expect(voted.textContent).toContain("Bạn đã bỏ phiếu kín");
    expect(voted.dataset.choice).toBe("secret");
    expect(document.body.textContent).not.toContain("Không tán thành");
  });

  it("shows a closed secret poll's counts, but not the voter's own choice, which nobody kept", () => {
    setLocale("vi");
    component = mount(PollCard, {
      target: document.body,
      props: {
        poll: { ...poll(7, 2, "closed"), secrecy: "secret" as const },
        recorded: { poll_id: 7, choice: null, marks: null },
        may: capabilities(),
        votable: false,
      },
    });
    flushSync();
    expect(byTestId("turnout")).toBeNull();
    expect(document.querySelectorAll('[data-testid="tally-bar"]').length).toBe(3);
    expect(byTestId("my-vote")).toBeNull();
  });

  it("cancels an open poll only after the chair gives the reason and confirms", async () => {
    setLocale("vi");
    calls = recordCalls(() => null);
    component = mount(PollCard, {
      target: document.body,
      props: { poll: poll(8, 2, "open"), recorded: null, may: capabilities({ manage_polls: true }), votable: false },
    });
    flushSync();
    byTestId("cancel-poll")!.click();
    flushSync();
    expect(calls.filter((call) => call.command === "cancel_poll")).toEqual([]);
    const reason = byTestId("cancel-poll-reason") as HTMLInputElement;
    reason.value = "Mở nhầm nội dung";
    reason.dispatchEvent(new Event("input", { bubbles: true }));
    byTestId("cancel-poll-confirm")!.click();
    await vi.waitFor(() =>
      expect(calls.find((call) => call.command === "cancel_poll")?.args).toEqual({ pollId: 8, reason: "Mở nhầm nội dung" }),
    );
  });

  it("says a cancelled poll has no result and why, with no counts and no record", () => {
    setLocale("vi");
    component = mount(PollCard, {
      target: document.body,
      props: {
        poll: { ...poll(8, 2, "open"), state: "cancelled" as const, cancel_reason: "Mở nhầm nội dung" },
        recorded: null,
        may: capabilities({ manage_polls: true }),
        votable: false,
      },
    });
    flushSync();
    expect(byTestId("poll-cancelled")!.textContent).toContain("Biểu quyết đã bị hủy, không có kết quả. Lý do: Mở nhầm nội dung");
    expect(byTestId("tally")).toBeNull();
    expect(byTestId("record-pdf")).toBeNull();
    expect(byTestId("close-poll")).toBeNull();
    expect(byTestId("cancel-poll")).toBeNull();
  });

  it("lets a councillor change their vote in a changeable poll, and shows the new choice at once", async () => {
    setLocale("vi");
    calls = recordCalls(() => ({ kind: "ballot_recorded" }));
    component = mount(PollCard, {
      target: document.body,
      props: {
        poll: { ...poll(9, 2, "open"), changeable: true },
        recorded: { poll_id: 9, choice: "no" as const, marks: null },
        may: capabilities(),
        votable: true,
      },
    });
    flushSync();
    expect(byTestId("my-vote")!.dataset.choice).toBe("no");
    expect(byTestId("change-no")).toBeNull();
    byTestId("change-yes")!.click();
    await vi.waitFor(() => expect(byTestId("my-vote")!.dataset.choice).toBe("yes"));
    expect(calls).toEqual([{ command: "cast_ballot", args: { pollId: 9, choice: "yes" } }]);
    expect(byTestId("change-yes")).toBeNull();
  });
});

describe("a secret ballot after the laptop was left untouched", () => {
  const START = Date.parse("2026-12-01T01:00:00Z");
  let stopWatching: (() => void) | null = null;

  /** An open poll `secrecy` shown to a voter at START, who then leaves the laptop for `idleMinutes`. */
  function leaveFor(idleMinutes: number, secrecy: "secret" | "named", answer: (command: string) => unknown) {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(START);
    setReconfirmAfter(5);
    confirmed();
    stopWatching = watchActivity();
    setLocale("vi");
    calls = recordCalls(answer);
    component = mount(PollCard, {
      target: document.body,
      props: { poll: { ...poll(6, 2, "open"), secrecy }, recorded: null, may: capabilities(), votable: true },
    });
    flushSync();
    vi.setSystemTime(START + idleMinutes * 60_000);
  }

  /** Presses a vote button as a hand does: the press itself is activity, then the click. */
  function press(testid: string) {
    const button = byTestId(testid)!;
    button.focus();
    button.dispatchEvent(new Event("pointerdown", { bubbles: true }));
    button.click();
    flushSync();
  }

  const ballots = () => calls.filter((call) => call.command === "cast_ballot");
  const passwordsTried = () => calls.filter((call) => call.command === "confirm_password").map((call) => call.args);

  afterEach(() => {
    cancelReconfirmation();
    stopWatching?.();
    stopWatching = null;
    vi.useRealTimers();
  });

  it("asks for the password first; a wrong one is said and casts nothing, the right one casts once", async () => {
    let tries = 0;
    leaveFor(6, "secret", (command) => {
      if (command !== "confirm_password") return { kind: "ballot_recorded" };
      tries += 1;
      return tries === 1
        ? Promise.reject({ code: "wrong_credentials", message_vi: "Sai mật khẩu", message_en: "Wrong password", detail: "" })
        : null;
    });
    press("vote-yes");
    expect(byTestId("reconfirm-dialog")).not.toBeNull();
    expect(document.activeElement).toBe(byTestId("reconfirm-password"));

    const field = byTestId("reconfirm-password") as HTMLInputElement;
    field.value = "sai";
    field.dispatchEvent(new Event("input", { bubbles: true }));
    byTestId("reconfirm-submit")!.click();
    await vi.waitFor(() => expect(byTestId("reconfirm-error")?.textContent).toContain("Mật khẩu không đúng"));
    expect(ballots()).toEqual([]);
    expect(byTestId("my-vote")).toBeNull();

    field.value = "đúng";
    field.dispatchEvent(new Event("input", { bubbles: true }));
    byTestId("reconfirm-submit")!.click();
    await vi.waitFor(() => expect(byTestId("my-vote")?.dataset.choice).toBe("secret"));
    expect(byTestId("reconfirm-dialog")).toBeNull();
    expect(passwordsTried()).toEqual([{ password: "sai" }, { password: "đúng" }]);
    expect(ballots()).toEqual([{ command: "cast_ballot", args: { pollId: 6, choice: "yes" } }]);
  });

  it("casts nothing when the dialog is cancelled, and the buttons stay to vote", async () => {
    leaveFor(6, "secret", () => ({ kind: "ballot_recorded" }));
    press("vote-no");
    byTestId("reconfirm-cancel")!.click();
    flushSync();
    await vi.waitFor(() => expect(byTestId("reconfirm-dialog")).toBeNull());
    expect(document.activeElement).toBe(byTestId("vote-no"));
    expect((byTestId("vote-no") as HTMLButtonElement).disabled).toBe(false);
    expect(byTestId("my-vote")).toBeNull();
    expect(calls).toEqual([]);

    // Cancelling does not make the laptop less unattended: the next press asks again.
    press("vote-yes");
    expect(byTestId("reconfirm-dialog")).not.toBeNull();
    expect(calls).toEqual([]);
  });

  it("sends one confirmed ballot however fast the button is pressed twice", async () => {
    leaveFor(6, "secret", () => null);
    press("vote-yes");
    press("vote-yes");
    expect(document.querySelectorAll('[data-testid="reconfirm-dialog"]')).toHaveLength(1);
    const field = byTestId("reconfirm-password") as HTMLInputElement;
    field.value = "đúng";
    field.dispatchEvent(new Event("input", { bubbles: true }));
    byTestId("reconfirm-submit")!.click();
    await vi.waitFor(() => expect(byTestId("my-vote")).not.toBeNull());
    expect(ballots()).toHaveLength(1);
  });

  it("casts at once when the laptop is in use", async () => {
    leaveFor(4, "secret", () => ({ kind: "ballot_recorded" }));
    press("vote-yes");
    expect(byTestId("reconfirm-dialog")).toBeNull();
    await vi.waitFor(() => expect(byTestId("my-vote")).not.toBeNull());
    expect(ballots()).toEqual([{ command: "cast_ballot", args: { pollId: 6, choice: "yes" } }]);
    expect(passwordsTried()).toEqual([]);
  });

  it("never asks in a named poll, however long the laptop was left", async () => {
    leaveFor(60, "named", () => ({ kind: "ballot_recorded" }));
    press("vote-yes");
    expect(byTestId("reconfirm-dialog")).toBeNull();
    await vi.waitFor(() => expect(byTestId("my-vote")?.dataset.choice).toBe("yes"));
    expect(ballots()).toEqual([{ command: "cast_ballot", args: { pollId: 6, choice: "yes" } }]);
    expect(passwordsTried()).toEqual([]);
  });
});

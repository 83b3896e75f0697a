// @vitest-environment happy-dom
// A poll card names its rule and source; a closed poll's card saves its signed record (PDF or
// CSV) and says where it went and whose key signed it; an open poll has no record yet.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import { capabilities, poll } from "../testing/fixtures";
import PollCard from "./PollCard.svelte";

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

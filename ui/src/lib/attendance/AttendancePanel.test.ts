// @vitest-environment happy-dom
// Attendance: a councillor checks in with a button and then sees it; the quorum line is the
// server's count; the secretariat marks members with a reason and sets the quorum; a chair
// refused for want of the quorum may open the poll anyway with a reason.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import ItemDetail from "../agenda/ItemDetail.svelte";
import type { MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import type { AttendanceView } from "../protocol/AttendanceView";
import { capabilities, item, meeting, mirrorView } from "../testing/fixtures";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import AttendancePanel from "./AttendancePanel.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

afterEach(() => {
  cleanUp(component);
  component = null;
});

function counted(present: number, reached: boolean): AttendanceView {
  return {
    members: [
      {
        user: { id: 3, username: "db003", full_name: "Nguyễn Văn Ba", position: "Đại biểu" },
        role: "delegate",
        status: null,
        reason: "",
      },
      {
        user: { id: 4, username: "db004", full_name: "Trần Thị Bốn", position: "Đại biểu" },
        role: "delegate",
        status: "excused",
        reason: "Đi công tác",
      },
    ],
    quorum: {
      voting_members: 34,
      present,
      quorum: { numerator: 2, denominator: 3 },
      needed: 23,
      reached,
    },
  };
}

function show(view: MirrorView, answer: AttendanceView) {
  setLocale("vi");
  calls = recordCalls((command) => (command === "attendance" ? answer : null));
  component = mount(AttendancePanel, { target: document.body, props: { view } });
  flushSync();
}

describe("attendance", () => {
  it("checks a councillor in with a button, not by opening the app, and says the quorum as the server counts it", async () => {
    show(mirrorView(), counted(20, false));
    const quorum = await vi.waitFor(() => {
      const line = byTestId("quorum");
      if (!line) throw new Error("not counted yet");
      return line;
    });
    expect(quorum.textContent).toContain("Có mặt 20/34 đại biểu — chưa đủ số để biểu quyết, cần 23");
    expect(quorum.dataset.reached).toBe("false");
    expect(byTestId("attendance-row")).toBeNull();
    byTestId("check-in")!.click();
    await vi.waitFor(() => expect(calls.some((call) => call.command === "check_in")).toBe(true));
  });

  it("shows a councillor who is checked in that they are", () => {
    const view = mirrorView();
    view.state!.attendance = [{ user_id: view.user.id, status: "present", reason: "" }];
    show(view, counted(23, true));
    expect(byTestId("check-in")).toBeNull();
    expect(byTestId("checked-in")!.textContent).toContain("Bạn đã điểm danh");
  });

  it("lets the secretariat mark a member absent with leave, with a reason, and set the quorum", async () => {
    const view = mirrorView({
      role: "secretariat",
      may: capabilities({ vote: false, manage_members: true, mark_attendance: true }),
    });
    show(view, counted(23, true));
    const rows = await vi.waitFor(() => {
      const shown = document.querySelectorAll<HTMLElement>('[data-testid="attendance-row"]');
      if (shown.length === 0) throw new Error("no rows yet");
      return shown;
    });
    expect(byTestId("check-in")).toBeNull();
    expect([...rows].map((row) => row.dataset.status)).toEqual(["", "excused"]);
    const reason = rows[0].querySelector<HTMLInputElement>('[data-testid="attendance-reason"]')!;
    reason.value = "Ốm, có giấy của bệnh viện";
    reason.dispatchEvent(new Event("input", { bubbles: true }));
    const status = rows[0].querySelector<HTMLSelectElement>('[data-testid="attendance-status"]')!;
    status.value = "excused";
    status.dispatchEvent(new Event("change", { bubbles: true }));
    await vi.waitFor(() =>
      expect(calls.find((call) => call.command === "set_attendance")?.args).toEqual({
        userId: 3,
        status: "excused",
        reason: "Ốm, có giấy của bệnh viện",
      }),
    );
    const quorum = byTestId("meeting-quorum") as HTMLSelectElement;
    await vi.waitFor(() => expect(quorum.disabled).toBe(false));
    expect(quorum.value).toBe("2/3");
    quorum.value = "1/2";
    quorum.dispatchEvent(new Event("change", { bubbles: true }));
    await vi.waitFor(() =>
      expect(calls.find((call) => call.command === "set_meeting_quorum")?.args).toEqual({
        quorum: { numerator: 1, denominator: 2 },
      }),
    );
  });

  it("lets the chair open a poll without the quorum only by giving a reason", async () => {
    setLocale("vi");
    let refusals = 0;
    calls = recordCalls((command) => {
      if (command !== "open_poll" || refusals > 0) return null;
      refusals += 1;
      return Promise.reject({ code: "no_quorum", message_vi: "Chưa đủ số", message_en: "No quorum", detail: "" });
    });
    const view = mirrorView({
      role: "chair",
      may: capabilities({ edit_agenda: true, upload_documents: true, manage_polls: true, mark_attendance: true, override_quorum: true }),
      state: meeting([item(1, 0), item(2, 1)]),
    });
    const target = view.state!.items[1];
    component = mount(ItemDetail, {
      target: document.body,
      props: { item: target, meeting: view.state!, view, available: [], onOpenDocument: () => undefined },
    });
    flushSync();
    byTestId("open-poll")!.click();
    await vi.waitFor(() => expect(byTestId("quorum-override")).not.toBeNull());
    const open = byTestId("quorum-override-open") as HTMLButtonElement;
    expect(open.disabled).toBe(true);
    const reason = byTestId("quorum-override-reason") as HTMLInputElement;
    reason.value = "Biểu quyết thủ tục";
    reason.dispatchEvent(new Event("input", { bubbles: true }));
    flushSync();
    open.click();
    await vi.waitFor(() => expect(byTestId("quorum-override")).toBeNull());
    const opened = calls
      .filter((call) => call.command === "open_poll")
      .map((call) => (call.args as { form: { quorumOverride: string | null } }).form.quorumOverride);
    expect(opened).toEqual([null, "Biểu quyết thủ tục"]);
  });
});

// @vitest-environment happy-dom
// The councillors' laptops for the meeting's secretariat: folded after the audit trail, it fetches
// the laptops when unfolded or refreshed and lists each — its name, whose it is, when and from
// where it last logged in, whether it may still be used. A laptop is revoked only after a yes
// (a "Không" sends nothing), and the list comes back with it revoked; the server's refusals are
// shown. A councillor has no such panel.

import { flushSync, mount } from "svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AppError, MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import MeetingScreen from "../meeting/MeetingScreen.svelte";
import type { DeviceList } from "../protocol/DeviceList";
import type { DeviceView } from "../protocol/DeviceView";
import { capabilities, mirrorView } from "../testing/fixtures";
import { liveProps } from "../testing/liveProps.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import DevicesPanel from "./DevicesPanel.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

beforeAll(() => {
  // Tauri's mocks install themselves on `window`.
  Object.assign(globalThis, { window: globalThis.window ?? globalThis });
});

afterEach(() => {
  cleanUp(component);
  component = null;
  setLocale("vi");
});

const secretariat: MirrorView = mirrorView({
  role: "secretariat",
  user: { id: 9, username: "tk", full_name: "Phạm Thư Ký", position: "Thư ký kỳ họp" },
  may: capabilities({ vote: false, manage_polls: true, mark_attendance: true, run_meeting: true, manage_members: true }),
});

/** Unix seconds of 08:30 on 1 December 2026 on this computer's clock, plus `minutes`. */
const at = (minutes: number) => Math.floor(new Date(2026, 11, 1, 8, 30, 0).getTime() / 1000) + minutes * 60;

const forbidden: AppError = {
  code: "forbidden",
  message_vi: "Bạn không có quyền thực hiện thao tác này",
  message_en: "You are not allowed to do this",
  detail: "",
};

const ba: DeviceView = {
  id: "lap-3f9c",
  name: "MAY-DB003",
  user: { id: 3, username: "db003", full_name: "Nguyễn Văn Ba", position: "Đại biểu" },
  last_login_at: at(15),
  last_address: "192.168.1.31",
  revoked_at: null,
};
const bon: DeviceView = {
  id: "lap-77aa",
  name: "LAPTOP-BON",
  user: { id: 4, username: "db004", full_name: "Trần Thị Bốn", position: "Đại biểu" },
  last_login_at: at(5),
  last_address: "192.168.1.32",
  revoked_at: null,
};
const old: DeviceView = {
  id: "lap-0001",
  name: "MAY-CU",
  user: { id: 3, username: "db003", full_name: "Nguyễn Văn Ba", position: "Đại biểu" },
  last_login_at: at(-60 * 24),
  last_address: "192.168.1.40",
  revoked_at: at(-60),
};

/** A server holding `devices`, listing them and revoking one at `revoked_at` = 08:45. */
function serverOf(initial: DeviceView[]) {
  let devices = initial;
  return {
    set: (next: DeviceView[]) => (devices = next),
    answer: (command: string, args: unknown): unknown => {
      if (command === "list_devices") return { devices } satisfies DeviceList;
      if (command === "revoke_device") {
        const id = (args as { device: string }).device;
        devices = devices.map((one) => (one.id === id ? { ...one, revoked_at: at(15) } : one));
        return { devices } satisfies DeviceList;
      }
      return null;
    },
  };
}

const rows = () => [...document.querySelectorAll<HTMLElement>('[data-testid="device-row"]')];
const row = (id: string) => rows().find((one) => one.dataset.deviceId === id)!;
const ids = () => rows().map((one) => one.dataset.deviceId);
const inRow = (id: string, testid: string) => row(id).querySelector<HTMLElement>(`[data-testid="${testid}"]`);
const asked = () => calls.filter((call) => call.command === "list_devices" || call.command === "revoke_device");

/** Mounts the panel, answering the backend with `answer`, and unfolds it. */
function openPanel(answer: (command: string, args: unknown) => unknown) {
  setLocale("vi");
  calls = recordCalls(answer);
  component = mount(DevicesPanel, { target: document.body });
  flushSync();
  const toggle = byTestId("devices-toggle")!;
  expect(toggle.getAttribute("aria-expanded")).toBe("false");
  // Nothing is fetched while it is folded.
  expect(calls).toEqual([]);
  toggle.click();
  flushSync();
  expect(toggle.getAttribute("aria-expanded")).toBe("true");
}

describe("the councillors' laptops", () => {
  it("fetches the laptops when unfolded and lists each with its owner, last login and state", async () => {
    openPanel(serverOf([ba, bon, old]).answer);
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    expect(asked()).toEqual([{ command: "list_devices", args: {} }]);
    const panel = byTestId("devices-panel")!;
    expect(panel.querySelector("h3")!.textContent).toContain("Máy tính của đại biểu");
    // A list, not a table, in the server's order.
    expect(byTestId("devices-list")!.tagName).toBe("UL");
    expect(panel.querySelector("table")).toBeNull();
    expect(ids()).toEqual(["lap-3f9c", "lap-77aa", "lap-0001"]);
    expect(rows().map((one) => one.dataset.revoked)).toEqual(["false", "false", "true"]);

    expect(inRow("lap-3f9c", "device-name")!.textContent).toBe("MAY-DB003");
    expect(inRow("lap-3f9c", "device-owner")!.textContent).toBe("Người dùng: Nguyễn Văn Ba (db003)");
    expect(inRow("lap-3f9c", "device-last-login")!.textContent).toBe(
      "Đăng nhập lần cuối lúc 08:45 01/12/2026, từ địa chỉ 192.168.1.31",
    );
    expect(inRow("lap-3f9c", "device-state")!.textContent).toContain("Đang dùng được");
    expect(inRow("lap-0001", "device-state")!.textContent).toContain("Đã thu hồi lúc 07:30 01/12/2026");
    expect(byTestId("devices-count")!.textContent!.trim()).toBe("Tổng cộng: 3 máy");
    expect(byTestId("devices-count")!.closest('[role="status"]')).not.toBeNull();

    // A laptop that may still be used can be revoked; the button's name says which one.
    const revoke = inRow("lap-3f9c", "device-revoke")!;
    expect(revoke.tagName).toBe("BUTTON");
    expect(revoke.textContent!.trim()).toBe("Thu hồi máy này");
    expect(revoke.dataset.deviceId).toBe("lap-3f9c");
    expect(revoke.getAttribute("aria-label")).toBe("Thu hồi máy này: máy MAY-DB003 của Nguyễn Văn Ba");
    expect(inRow("lap-77aa", "device-revoke")!.getAttribute("aria-label")).toBe(
      "Thu hồi máy này: máy LAPTOP-BON của Trần Thị Bốn",
    );
    expect(inRow("lap-0001", "device-revoke")).toBeNull();
  });

  it("asks before revoking, and a “Không” sends nothing", async () => {
    openPanel(serverOf([ba, bon]).answer);
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    calls.length = 0;

    inRow("lap-3f9c", "device-revoke")!.click();
    await vi.waitFor(() => expect(inRow("lap-3f9c", "device-revoke-confirm")).not.toBeNull());
    const confirm = inRow("lap-3f9c", "device-revoke-confirm")!;
    expect(confirm.getAttribute("role")).toBe("group");
    const question = document.getElementById(confirm.getAttribute("aria-labelledby")!)!;
    expect(question.textContent).toBe(
      "Thu hồi máy MAY-DB003 của Nguyễn Văn Ba? Máy sẽ bị đăng xuất ngay, tài liệu kỳ họp trên máy bị xoá và không đăng nhập lại được.",
    );
    const yes = inRow("lap-3f9c", "device-revoke-yes")!;
    const no = inRow("lap-3f9c", "device-revoke-no")!;
    expect(yes.textContent!.trim()).toBe("Thu hồi");
    expect(yes.getAttribute("aria-label")).toBe("Thu hồi máy MAY-DB003 của Nguyễn Văn Ba");
    expect(no.textContent!.trim()).toBe("Không");
    expect(no.getAttribute("aria-label")).toBe("Không thu hồi máy MAY-DB003");
    // The safe answer has the keyboard, and the other laptop is left as it was.
    await vi.waitFor(() => expect(document.activeElement).toBe(no));
    expect(inRow("lap-3f9c", "device-revoke")).toBeNull();
    expect(inRow("lap-77aa", "device-revoke")).not.toBeNull();
    expect(inRow("lap-77aa", "device-revoke-confirm")).toBeNull();

    no.click();
    await vi.waitFor(() => expect(inRow("lap-3f9c", "device-revoke-confirm")).toBeNull());
    expect(calls).toEqual([]);
    expect(row("lap-3f9c").dataset.revoked).toBe("false");
    await vi.waitFor(() => expect(document.activeElement).toBe(inRow("lap-3f9c", "device-revoke")));
    expect(byTestId("devices-revoked")).toBeNull();
  });

  it("revokes the laptop after a “Thu hồi” and shows it revoked", async () => {
    openPanel(serverOf([ba, bon]).answer);
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    calls.length = 0;

    inRow("lap-3f9c", "device-revoke")!.click();
    await vi.waitFor(() => expect(inRow("lap-3f9c", "device-revoke-yes")).not.toBeNull());
    inRow("lap-3f9c", "device-revoke-yes")!.click();

    const done = await vi.waitFor(() => {
      const note = byTestId("devices-revoked");
      if (!note) throw new Error("not revoked yet");
      return note;
    });
    expect(calls).toEqual([{ command: "revoke_device", args: { device: "lap-3f9c" } }]);
    expect(done.textContent).toContain("Đã thu hồi máy MAY-DB003");
    expect(done.closest('[role="status"]')).not.toBeNull();
    expect(row("lap-3f9c").dataset.revoked).toBe("true");
    expect(inRow("lap-3f9c", "device-state")!.textContent).toContain("Đã thu hồi lúc 08:45 01/12/2026");
    expect(inRow("lap-3f9c", "device-revoke")).toBeNull();
    expect(inRow("lap-3f9c", "device-revoke-confirm")).toBeNull();
    expect(row("lap-77aa").dataset.revoked).toBe("false");
    // The keyboard stays on the laptop just revoked.
    await vi.waitFor(() => expect(document.activeElement).toBe(row("lap-3f9c")));
  });

  it("fetches the laptops again on Làm mới", async () => {
    const server = serverOf([bon]);
    openPanel(server.answer);
    await vi.waitFor(() => expect(ids()).toEqual(["lap-77aa"]));

    server.set([ba, bon]);
    calls.length = 0;
    const refresh = byTestId("devices-refresh")!;
    expect(refresh.textContent).toContain("Làm mới");
    refresh.click();
    await vi.waitFor(() => expect(ids()).toEqual(["lap-3f9c", "lap-77aa"]));
    expect(asked()).toEqual([{ command: "list_devices", args: {} }]);
  });

  it("says so when no laptop has logged in yet", async () => {
    openPanel(serverOf([]).answer);
    await vi.waitFor(() =>
      expect(byTestId("devices-count")?.textContent?.trim()).toBe("Chưa có máy tính nào của thành viên kỳ họp đăng nhập"),
    );
    expect(byTestId("devices-list")).toBeNull();
    expect(rows()).toEqual([]);
  });

  it("shows the server's refusal to list the laptops", async () => {
    openPanel(() => {
      throw forbidden;
    });
    const error = await vi.waitFor(() => {
      const notice = byTestId("devices-error");
      if (!notice) throw new Error("no error yet");
      return notice;
    });
    expect(error.textContent).toContain("Bạn không có quyền thực hiện thao tác này");
    expect(error.getAttribute("role")).toBe("alert");
    expect(byTestId("devices-count")).toBeNull();
    expect(rows()).toEqual([]);
  });

  it("shows a refused revocation and keeps the laptop as it was", async () => {
    const server = serverOf([ba, bon]);
    openPanel((command, args) => {
      if (command === "revoke_device") throw forbidden;
      return server.answer(command, args);
    });
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    inRow("lap-3f9c", "device-revoke")!.click();
    await vi.waitFor(() => expect(inRow("lap-3f9c", "device-revoke-yes")).not.toBeNull());
    inRow("lap-3f9c", "device-revoke-yes")!.click();

    await vi.waitFor(() => expect(byTestId("devices-error")?.textContent).toContain("Bạn không có quyền thực hiện thao tác này"));
    expect(calls.filter((call) => call.command === "revoke_device")).toEqual([
      { command: "revoke_device", args: { device: "lap-3f9c" } },
    ]);
    expect(row("lap-3f9c").dataset.revoked).toBe("false");
    expect(byTestId("devices-revoked")).toBeNull();
    await vi.waitFor(() => expect(document.activeElement).toBe(inRow("lap-3f9c", "device-revoke")));
  });

  it("speaks English too", async () => {
    openPanel(serverOf([ba, old]).answer);
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    setLocale("en");
    flushSync();
    expect(byTestId("devices-toggle")!.textContent).toContain("Councillors' laptops");
    expect(inRow("lap-3f9c", "device-owner")!.textContent).toBe("User: Nguyễn Văn Ba (db003)");
    expect(inRow("lap-3f9c", "device-state")!.textContent).toContain("Can be used");
    expect(inRow("lap-0001", "device-state")!.textContent).toContain("Revoked at 07:30 01/12/2026");
    expect(inRow("lap-3f9c", "device-revoke")!.getAttribute("aria-label")).toBe(
      "Revoke this laptop: MAY-DB003, used by Nguyễn Văn Ba",
    );
    expect(byTestId("devices-count")!.textContent!.trim()).toBe("Laptops: 2");
  });
});

describe("who sees the panel in the meeting", () => {
  function showMeeting(view: MirrorView) {
    setLocale("vi");
    calls = recordCalls(serverOf([ba, bon]).answer);
    const props = liveProps({ view, chosenItemId: null as number | null, onLogout: () => {}, onRelogin: () => {} });
    component = mount(MeetingScreen, { target: document.body, props });
    flushSync();
  }

  it("the secretariat finds it folded right after the audit trail", async () => {
    showMeeting(secretariat);
    const panel = byTestId("devices-panel")!;
    expect(panel).not.toBeNull();
    expect(byTestId("audit-panel")!.nextElementSibling).toBe(panel);
    expect(byTestId("devices-toggle")!.getAttribute("aria-expanded")).toBe("false");
    expect(asked()).toEqual([]);
    byTestId("devices-toggle")!.click();
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
  });

  it("a councillor has none", () => {
    showMeeting(mirrorView());
    expect(byTestId("devices-panel")).toBeNull();
    expect(asked()).toEqual([]);
  });
});

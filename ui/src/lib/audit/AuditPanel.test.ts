// @vitest-environment happy-dom
// The audit trail for the meeting's secretariat: folded under the members, it fetches every page
// when unfolded and shows the entries newest first — time, who, from where, what — narrowed by
// what is typed in the filter, refreshed on demand and saved as CSV into Downloads; the server's
// refusals are shown. A councillor has no such panel.

import { flushSync, mount } from "svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AppError, MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import MeetingScreen from "../meeting/MeetingScreen.svelte";
import type { AuditEntry } from "../protocol/AuditEntry";
import type { AuditPage } from "../protocol/AuditPage";
import { capabilities, mirrorView } from "../testing/fixtures";
import { liveProps } from "../testing/liveProps.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import AuditPanel from "./AuditPanel.svelte";

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

/** 08:30:00 on 1 December 2026 on this computer's clock, plus `seconds`. */
const at = (seconds: number) => new Date(2026, 11, 1, 8, 30, 0).getTime() + seconds * 1000;
const SAVED = "/home/tk/Downloads/Nhật ký thao tác kỳ họp 7.csv";

const forbidden: AppError = {
  code: "forbidden",
  message_vi: "Bạn không có quyền thực hiện thao tác này",
  message_en: "You are not allowed to do this",
  detail: "",
};

function entry(seq: number, action: string, detail: string, who: string, address: string): AuditEntry {
  return { seq, at_ms: at(seq), meeting_id: 7, user_id: 9, who, address, action, detail, hash: "0f".repeat(32) };
}

const THU_KY = "Phạm Thư Ký (tk)";
const trail: AuditEntry[] = [
  entry(2, "agenda_item_added", '{"seq":1,"item":{"id":1,"title":"Tờ trình ngân sách 2027"}}', THU_KY, "192.168.1.20"),
  entry(5, "attendance_set", '{"seq":2,"attendance":{},"by":9}', THU_KY, "192.168.1.20"),
  entry(7, "poll_opened", '{"seq":3,"poll":{"id":1,"title":"Thông qua dự toán ngân sách"}}', "Lê Chủ Tọa (ct)", "192.168.1.10"),
  entry(8, "ballot_cast", '{"poll_id":1}', "Nguyễn Văn Ba (db003)", "192.168.1.31"),
  entry(11, "poll_closed", '{"seq":4,"poll_id":1,"outcome":"passed"}', "máy chủ / server", "local"),
];

/** A server holding `entries`, answering `audit_page` two at a time after the `after` asked. */
function pagesOf(entries: () => AuditEntry[]) {
  return (command: string, args: unknown): unknown => {
    if (command !== "audit_page") return null;
    const after = (args as { after: number }).after;
    const following = entries().filter((one) => one.seq > after);
    return { entries: following.slice(0, 2), more: following.length > 2 } satisfies AuditPage;
  };
}

const rows = () => [...document.querySelectorAll<HTMLElement>('[data-testid="audit-row"]')];
const seqs = () => rows().map((row) => Number(row.dataset.seq));
const asked = () => calls.filter((call) => call.command === "audit_page").map((call) => call.args);
const count = () => byTestId("audit-count")?.textContent?.trim();
const filter = () => byTestId("audit-filter") as HTMLInputElement;

/** Mounts the panel, answering the backend with `answer`, and unfolds it. */
function openPanel(answer: (command: string, args: unknown) => unknown) {
  setLocale("vi");
  calls = recordCalls(answer);
  component = mount(AuditPanel, { target: document.body });
  flushSync();
  const toggle = byTestId("audit-toggle")!;
  expect(toggle.getAttribute("aria-expanded")).toBe("false");
  // Nothing is fetched while it is folded.
  expect(calls).toEqual([]);
  toggle.click();
  flushSync();
  expect(toggle.getAttribute("aria-expanded")).toBe("true");
}

function type(text: string) {
  filter().value = text;
  filter().dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

describe("the secretariat's audit trail", () => {
  it("fetches every page when unfolded and shows the entries newest first", async () => {
    openPanel(pagesOf(() => trail));
    await vi.waitFor(() => expect(rows()).toHaveLength(5));
    expect(asked()).toEqual([{ after: 0 }, { after: 5 }, { after: 8 }]);
    const panel = byTestId("audit-panel")!;
    expect(panel.querySelector("h3")!.textContent).toContain("Nhật ký thao tác");
    expect(seqs()).toEqual([11, 8, 7, 5, 2]);

    const [closed, , opened] = rows();
    expect(closed.querySelector(".label")!.textContent).toBe("Kết thúc biểu quyết");
    expect(closed.querySelector(".summary")!.textContent).toBe("Kết quả: Thông qua");
    expect(closed.querySelector(".who")!.textContent).toBe("máy chủ / server");
    expect(closed.querySelector(".address")!.textContent).toBe("từ local");
    expect(opened.querySelector(".label")!.textContent).toBe("Mở biểu quyết");
    expect(opened.querySelector(".summary")!.textContent).toBe("Thông qua dự toán ngân sách");
    expect(opened.querySelector(".who")!.textContent).toBe("Lê Chủ Tọa (ct)");
    expect(opened.querySelector(".address")!.textContent).toBe("từ 192.168.1.10");
    const time = opened.querySelector("time")!;
    expect(time.textContent).toBe("08:30:07 01/12/2026");
    expect(time.getAttribute("datetime")).toBe(new Date(at(7)).toISOString());
    // A ballot says who voted in which poll, never how: there is nothing more to sum up.
    expect(rows()[1].querySelector(".summary")).toBeNull();

    expect(count()).toBe("Tổng cộng: 5 mục");
    expect(byTestId("audit-count")!.closest('[role="status"]')).not.toBeNull();
    // A list, in a box labelled for whoever scrolls it by keyboard.
    const list = byTestId("audit-list")!;
    expect(list.tagName).toBe("UL");
    expect(list.closest('[role="region"]')!.getAttribute("aria-label")).toBe("Các mục nhật ký, mới nhất ở trên");
  });

  it("narrows the rows to what is typed, with or without accents", async () => {
    openPanel(pagesOf(() => trail));
    await vi.waitFor(() => expect(rows()).toHaveLength(5));
    const field = filter();
    expect(field.closest("label")!.textContent).toContain("Lọc nhật ký");
    const hint = document.getElementById(field.getAttribute("aria-describedby")!)!;
    expect(hint.textContent).toContain("không cần gõ dấu");

    type("thu ky");
    expect(seqs()).toEqual([5, 2]);
    expect(count()).toBe("Đang hiện 2 / 5 mục");

    type("BIỂU QUYẾT");
    expect(seqs()).toEqual([11, 7]);

    type("192.168.1.31");
    expect(seqs()).toEqual([8]);
    expect(rows()[0].querySelector(".label")!.textContent).toBe("Bỏ phiếu");

    type("đăng nhập");
    expect(rows()).toEqual([]);
    expect(count()).toBe("Đang hiện 0 / 5 mục");
    expect(byTestId("audit-no-match")!.textContent).toBe("Không có mục nào khớp với “đăng nhập”");

    type("");
    expect(seqs()).toEqual([11, 8, 7, 5, 2]);
    expect(count()).toBe("Tổng cộng: 5 mục");
    expect(byTestId("audit-no-match")).toBeNull();
  });

  it("fetches the whole trail again on Làm mới, the filter kept", async () => {
    let known = trail.slice(0, 3);
    openPanel(pagesOf(() => known));
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    type("bieu quyet");
    expect(seqs()).toEqual([7]);

    known = trail;
    calls.length = 0;
    const refresh = byTestId("audit-refresh")!;
    expect(refresh.textContent).toContain("Làm mới");
    refresh.click();
    await vi.waitFor(() => expect(seqs()).toEqual([11, 7]));
    expect(asked()).toEqual([{ after: 0 }, { after: 5 }, { after: 8 }]);
    expect(count()).toBe("Đang hiện 2 / 5 mục");
  });

  it("exports the trail as CSV and shows where the file was saved", async () => {
    const answer = pagesOf(() => trail);
    openPanel((command, args) => (command === "save_audit_csv" ? SAVED : answer(command, args)));
    await vi.waitFor(() => expect(rows()).toHaveLength(5));
    const exportButton = byTestId("audit-export")!;
    expect(exportButton.textContent).toContain("Xuất CSV");
    exportButton.click();
    const saved = await vi.waitFor(() => {
      const note = byTestId("audit-exported");
      if (!note) throw new Error("not saved yet");
      return note;
    });
    expect(saved.textContent).toBe(`Đã lưu: ${SAVED}`);
    expect(saved.closest('[role="status"]')).not.toBeNull();
    expect(calls.filter((call) => call.command === "save_audit_csv")).toEqual([{ command: "save_audit_csv", args: {} }]);
  });

  it("says so when nothing has been recorded yet", async () => {
    openPanel(pagesOf(() => []));
    await vi.waitFor(() => expect(count()).toBe("Chưa có thao tác nào được ghi lại"));
    expect(byTestId("audit-list")).toBeNull();
    expect(asked()).toEqual([{ after: 0 }]);
  });

  it("shows the server's refusal, and a refused export saves nothing", async () => {
    openPanel((command) => {
      throw command === "audit_page"
        ? forbidden
        : { code: "export_failed", message_vi: "Không lưu được tệp", message_en: "Could not save the file", detail: "" };
    });
    const error = await vi.waitFor(() => {
      const notice = byTestId("audit-error");
      if (!notice) throw new Error("no error yet");
      return notice;
    });
    expect(error.textContent).toContain("Bạn không có quyền thực hiện thao tác này");
    expect(error.getAttribute("role")).toBe("alert");
    expect(byTestId("audit-count")).toBeNull();
    expect(rows()).toEqual([]);

    byTestId("audit-export")!.click();
    await vi.waitFor(() => expect(byTestId("audit-error")?.textContent).toContain("Không lưu được tệp"));
    expect(byTestId("audit-exported")).toBeNull();
  });

  it("keeps what it showed when a later page is refused", async () => {
    let failing = false;
    const answer = pagesOf(() => trail);
    openPanel((command, args) => {
      if (failing && command === "audit_page" && (args as { after: number }).after > 0) throw forbidden;
      return answer(command, args);
    });
    await vi.waitFor(() => expect(rows()).toHaveLength(5));
    failing = true;
    byTestId("audit-refresh")!.click();
    await vi.waitFor(() => expect(byTestId("audit-error")).not.toBeNull());
    expect(seqs()).toEqual([11, 8, 7, 5, 2]);
  });

  it("speaks English too", async () => {
    openPanel(pagesOf(() => trail));
    await vi.waitFor(() => expect(rows()).toHaveLength(5));
    setLocale("en");
    flushSync();
    expect(byTestId("audit-toggle")!.textContent).toContain("Audit trail");
    expect(rows()[0].querySelector(".label")!.textContent).toBe("Poll closed");
    expect(rows()[0].querySelector(".summary")!.textContent).toBe("Result: Passed");
    expect(rows()[0].querySelector(".address")!.textContent).toBe("from local");
    expect(count()).toBe("In all: 5 entries");
  });
});

describe("who sees the panel in the meeting", () => {
  function showMeeting(view: MirrorView) {
    setLocale("vi");
    calls = recordCalls(pagesOf(() => trail));
    const props = liveProps({ view, chosenItemId: null as number | null, onLogout: () => {}, onRelogin: () => {} });
    component = mount(MeetingScreen, { target: document.body, props });
    flushSync();
  }

  it("the secretariat finds it folded right after the members", async () => {
    showMeeting(secretariat);
    const panel = byTestId("audit-panel")!;
    expect(panel).not.toBeNull();
    expect(byTestId("members-panel")!.nextElementSibling).toBe(panel);
    expect(byTestId("audit-toggle")!.getAttribute("aria-expanded")).toBe("false");
    expect(asked()).toEqual([]);
    byTestId("audit-toggle")!.click();
    await vi.waitFor(() => expect(rows()).toHaveLength(5));
  });

  it("a councillor has none", () => {
    showMeeting(mirrorView());
    expect(byTestId("audit-panel")).toBeNull();
    expect(asked()).toEqual([]);
  });
});

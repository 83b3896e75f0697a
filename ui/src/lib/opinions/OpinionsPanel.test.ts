// @vitest-environment happy-dom
// The members' opinions for who runs the meeting: every one, grouped by agenda item with name,
// time, document and text as written; refreshed on demand and saved as CSV into Downloads. A
// councillor has no such panel, only their own form.

import { flushSync, mount } from "svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import MeetingScreen from "../meeting/MeetingScreen.svelte";
import type { OpinionView } from "../protocol/OpinionView";
import { capabilities, document as doc, item, meeting, mirrorView } from "../testing/fixtures";
import { liveProps } from "../testing/liveProps.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import OpinionsPanel from "./OpinionsPanel.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

beforeAll(() => {
  // Tauri's mocks install themselves on `window`.
  Object.assign(globalThis, { window: globalThis.window ?? globalThis });
});

afterEach(() => {
  cleanUp(component);
  component = null;
});

const state = meeting([item(1, 0, [doc(11, 1)]), item(2, 1, [doc(21, 2)])]);
const secretariat: MirrorView = mirrorView({
  state,
  role: "secretariat",
  user: { id: 9, username: "tk", full_name: "Phạm Thư Ký", position: "Thư ký kỳ họp" },
  may: capabilities({ vote: false, manage_polls: true, mark_attendance: true, run_meeting: true, upload_documents: true }),
});
const ba = { id: 3, username: "db003", full_name: "Nguyễn Văn Ba", position: "Đại biểu" };
const bon = { id: 4, username: "db004", full_name: "Trần Thị Bốn", position: "Đại biểu" };
/** 08:30 on 1 December 2026, Vietnam time. */
const MORNING = Date.parse("2026-12-01T01:30:00Z") / 1000;
const SAVED = "/home/tk/Downloads/Góp ý kỳ họp 7.csv";

const opinions: OpinionView[] = [
  { id: 1, user: ba, item_id: 2, document_id: 21, text: "Đề nghị làm rõ nguồn vốn.\nThứ hai: tiến độ.", sent_at: MORNING },
  { id: 2, user: bon, item_id: 1, document_id: null, text: "Tán thành", sent_at: MORNING + 300 },
  { id: 3, user: bon, item_id: 2, document_id: null, text: "Bổ sung ý kiến", sent_at: MORNING + 600 },
];

const rows = () => [...document.querySelectorAll<HTMLElement>('[data-testid="opinion-row"]')];

function showPanel(answer: (command: string) => unknown) {
  setLocale("vi");
  calls = recordCalls(answer);
  component = mount(OpinionsPanel, { target: document.body, props: { view: secretariat } });
  flushSync();
}

describe("the secretariat's panel", () => {
  it("lists every opinion grouped by item in the agenda's order, with name, time, document and text", async () => {
    showPanel((command) => (command === "list_opinions" ? opinions : null));
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    const panel = byTestId("opinions-panel")!;
    expect(panel.querySelector("h3")!.textContent).toBe("Góp ý của đại biểu");
    const groups = [...panel.querySelectorAll<HTMLElement>('[data-testid="opinion-group"]')];
    expect(groups.map((group) => [group.dataset.itemId, group.querySelector("h4")!.textContent?.trim()])).toEqual([
      ["1", "Nội dung 1: Nội dung 1"],
      ["2", "Nội dung 2: Nội dung 2"],
    ]);
    expect(rows().map((row) => [row.dataset.itemId, row.dataset.opinionId])).toEqual([
      ["1", "2"],
      ["2", "1"],
      ["2", "3"],
    ]);
    const first = rows()[1];
    expect(groups[1].contains(first)).toBe(true);
    expect(first.querySelector(".name")!.textContent).toBe("Nguyễn Văn Ba");
    expect(first.querySelector("time")!.textContent).toBe("08:30 01/12");
    expect(byTestId("opinion-row-document")!.textContent).toBe("Về tài liệu: Tờ trình 21");
    expect(first.querySelector(".text")!.textContent).toBe("Đề nghị làm rõ nguồn vốn.\nThứ hai: tiến độ.");
    expect(rows()[2].querySelector('[data-testid="opinion-row-document"]')).toBeNull();
    expect(byTestId("opinions-total")!.textContent?.trim()).toBe("Tổng cộng: 3 góp ý");
  });

  it("fetches them again on Làm mới", async () => {
    let known = opinions.slice(0, 1);
    showPanel((command) => (command === "list_opinions" ? known : null));
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    known = opinions;
    const refresh = byTestId("opinions-refresh")!;
    expect(refresh.textContent).toContain("Làm mới");
    refresh.click();
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    expect(calls.filter((call) => call.command === "list_opinions")).toHaveLength(2);
  });

  it("exports them as CSV and shows where the file was saved", async () => {
    showPanel((command) => (command === "list_opinions" ? opinions : command === "save_opinions_csv" ? SAVED : null));
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
    const exportButton = byTestId("opinions-export")!;
    expect(exportButton.textContent).toContain("Xuất CSV");
    exportButton.click();
    const saved = await vi.waitFor(() => {
      const note = byTestId("opinions-exported");
      if (!note) throw new Error("not saved yet");
      return note;
    });
    expect(saved.textContent).toBe(`Đã lưu tệp góp ý: ${SAVED}`);
    expect(saved.closest('[role="status"]')).not.toBeNull();
    expect(calls.filter((call) => call.command === "save_opinions_csv")).toEqual([{ command: "save_opinions_csv", args: {} }]);
  });

  it("says so when there are none yet, and shows a refused export", async () => {
    showPanel((command) => {
      if (command === "save_opinions_csv") {
        throw { code: "export_failed", message_vi: "Không lưu được tệp", message_en: "Could not save the file", detail: "" };
      }
      return command === "list_opinions" ? [] : null;
    });
    await vi.waitFor(() => expect(byTestId("opinions-total")?.textContent?.trim()).toBe("Chưa có góp ý nào"));
    byTestId("opinions-export")!.click();
    await vi.waitFor(() => expect(byTestId("opinions-error")?.textContent).toContain("Không lưu được tệp"));
    expect(byTestId("opinions-exported")).toBeNull();
  });
});

describe("who sees the panel in the meeting", () => {
  function showMeeting(view: MirrorView) {
    setLocale("vi");
    calls = recordCalls((command) => (command === "list_opinions" ? opinions : null));
    const props = liveProps({ view, chosenItemId: null as number | null, onLogout: () => {}, onRelogin: () => {} });
    component = mount(MeetingScreen, { target: document.body, props });
    flushSync();
  }

  it("a councillor sees no panel, only the form for their own opinion", async () => {
    showMeeting(mirrorView({ state }));
    expect(byTestId("opinion-form")).not.toBeNull();
    // Their list of sent opinions was asked for; still nobody else's opinion is shown.
    await vi.waitFor(() => expect(calls.some((call) => call.command === "list_opinions")).toBe(true));
    expect(byTestId("opinions-panel")).toBeNull();
    expect(rows()).toEqual([]);
  });

  it("the secretariat sees the panel beside the agenda", async () => {
    showMeeting(secretariat);
    expect(byTestId("opinions-panel")).not.toBeNull();
    await vi.waitFor(() => expect(rows()).toHaveLength(3));
  });
});

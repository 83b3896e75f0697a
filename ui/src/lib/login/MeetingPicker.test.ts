// @vitest-environment happy-dom
// The meeting list: "Tạo cuộc họp mới" only for an account the server lets create meetings; the
// form checked before sending; the new meeting joining the list with the keyboard on it.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LoginResult } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import type { CreateMeetingRequest } from "../protocol/CreateMeetingRequest";
import type { MeetingSummary } from "../protocol/MeetingSummary";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import MeetingPicker from "./MeetingPicker.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

afterEach(() => {
  cleanUp(component);
  component = null;
});

const sitting: MeetingSummary = { id: 7, title: "Kỳ họp thứ 12", location: "Hội trường A", starts_at: "2026-12-01 08:00", role: "secretariat" };
const created: MeetingSummary = { id: 8, title: "Kỳ họp thứ 13", location: "Hội trường B", starts_at: "2026-12-20 14:30", role: "secretariat" };

function login(mayCreate: boolean): LoginResult {
  return {
    user: { id: 9, username: "tk", full_name: "Phạm Thư Ký", position: "Thư ký kỳ họp" },
    meetings: [sitting],
    may_create_meetings: mayCreate,
  };
}

function showPicker(result: LoginResult, answer: (command: string) => unknown = () => null) {
  setLocale("vi");
  calls = recordCalls(answer);
  component = mount(MeetingPicker, {
    target: document.body,
    props: { login: result, opening: false, error: null, onOpen: () => undefined, onBack: () => undefined },
  });
  flushSync();
}

const choices = () => [...document.querySelectorAll<HTMLElement>('[data-testid="meeting-choice"]')];

function set(id: string, value: string, event = "input") {
  const field = byTestId(id) as HTMLInputElement | HTMLSelectElement;
  field.value = value;
  field.dispatchEvent(new Event(event, { bubbles: true }));
  flushSync();
}

function openForm() {
  byTestId("create-meeting")!.click();
  flushSync();
}

describe("creating a meeting from the list", () => {
  it("is offered only to an account that may create meetings", () => {
    showPicker(login(false));
    expect(choices()).toHaveLength(1);
    expect(byTestId("create-meeting")).toBeNull();
    cleanUp(component);
    showPicker(login(true));
    expect(byTestId("create-meeting")!.textContent).toContain("Tạo cuộc họp mới");
  });

  it("sends the form's title, time, place and kind, then lists the new meeting with the keyboard on it", async () => {
    showPicker(login(true), (command) => (command === "create_meeting" ? created : null));
    openForm();
    expect(document.activeElement).toBe(byTestId("new-meeting-title"));
    const label = (id: string) => byTestId(id)!.closest("label")!.textContent!.trim();
    expect([label("new-meeting-title"), label("new-meeting-date"), label("new-meeting-time"), label("new-meeting-location")]).toEqual([
      "Tên cuộc họp (bắt buộc)",
      "Ngày họp",
      "Giờ bắt đầu",
      "Địa điểm",
    ]);
    const kinds = [...(byTestId("new-meeting-kind") as HTMLSelectElement).options].map((option) => [option.value, option.textContent]);
    expect(kinds).toEqual([
      ["council_sitting", "Kỳ họp HĐND"],
      ["committee_meeting", "Phiên họp UBND"],
      ["conference", "Hội nghị"],
    ]);

    set("new-meeting-title", "  Kỳ họp thứ 13 ");
    set("new-meeting-date", "2026-12-20");
    set("new-meeting-time", "14:30");
    set("new-meeting-location", "Hội trường B");
    set("new-meeting-kind", "committee_meeting", "change");
    byTestId("new-meeting-submit")!.click();

    await vi.waitFor(() => expect(choices()).toHaveLength(2));
    const request: CreateMeetingRequest = { title: "Kỳ họp thứ 13", location: "Hội trường B", starts_at: "2026-12-20 14:30", kind: "committee_meeting" };
    expect(calls.find((call) => call.command === "create_meeting")?.args).toEqual({ request });
    const added = choices()[1];
    expect(added.dataset.meetingId).toBe("8");
    expect(added.textContent).toContain("Kỳ họp thứ 13");
    await vi.waitFor(() => expect(document.activeElement).toBe(added));
    expect(byTestId("new-meeting-form")).toBeNull();
    expect(byTestId("meeting-created")!.textContent).toContain("Đã tạo cuộc họp «Kỳ họp thứ 13»");
  });

  it("asks for what is missing before sending anything", () => {
    showPicker(login(true));
    openForm();
    byTestId("new-meeting-submit")!.click();
    flushSync();
    expect(byTestId("new-meeting-problem")!.textContent).toContain("Vui lòng nhập tên cuộc họp");
    expect(byTestId("new-meeting-title")!.getAttribute("aria-invalid")).toBe("true");

    set("new-meeting-title", "Kỳ họp thứ 13");
    set("new-meeting-time", "08:00");
    byTestId("new-meeting-submit")!.click();
    flushSync();
    expect(byTestId("new-meeting-problem")!.dataset.problem).toBe("time_without_date");
    expect(calls.some((call) => call.command === "create_meeting")).toBe(false);
  });

  it("shows the server's refusal in the form and keeps what was typed", async () => {
    showPicker(login(true), (command) =>
      command === "create_meeting"
        ? Promise.reject({ code: "forbidden", message_vi: "Không được phép", message_en: "Forbidden", detail: "" })
        : null,
    );
    openForm();
    set("new-meeting-title", "Kỳ họp thứ 13");
    byTestId("new-meeting-submit")!.click();
    await vi.waitFor(() => expect(byTestId("new-meeting-error")?.dataset.errorCode).toBe("forbidden"));
    expect((byTestId("new-meeting-title") as HTMLInputElement).value).toBe("Kỳ họp thứ 13");
    expect(choices()).toHaveLength(1);
  });

  it("closes with Escape or Cancel and gives the keyboard back to the button", async () => {
    showPicker(login(true));
    openForm();
    byTestId("new-meeting-title")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("create-meeting")));
    expect(byTestId("new-meeting-form")).toBeNull();
    openForm();
    byTestId("new-meeting-cancel")!.click();
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("create-meeting")));
  });
});

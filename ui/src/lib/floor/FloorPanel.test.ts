// @vitest-environment happy-dom
// The speaking panel: a councillor asks for the floor on the item under discussion, sees their
// place and withdraws; the chair gives the floor for the minutes chosen, moves and removes
// speakers by sending the whole order; everyone sees the time left by the server's clock and the
// overrun; the secretariat runs the queue but does not ask to speak.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import type { Floor } from "../protocol/Floor";
import { capabilities, item, meeting, mirrorView, speech, speechRequest } from "../testing/fixtures";
import { liveProps } from "../testing/liveProps.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import FloorPanel from "./FloorPanel.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

afterEach(() => {
  cleanUp(component);
  component = null;
  vi.useRealTimers();
});

/** The delegate Nguyễn Văn Ba (user 3), with `floor` and item 2 under discussion, changed by `overrides`. */
function viewWith(floor: Floor, overrides: Partial<MirrorView> = {}): MirrorView {
  const state = { ...meeting([item(1, 0), item(2, 1)]), current_item: 2, floor };
  return mirrorView({ state, ...overrides });
}

const chair = { role: "chair" as const, user: { id: 1, username: "ct", full_name: "Hoàng Văn Chủ", position: "Chủ tọa" } };
const chairMay = capabilities({ manage_polls: true, mark_attendance: true, override_quorum: true, run_meeting: true });

function show(view: MirrorView) {
  setLocale("vi");
  calls = recordCalls(() => null);
  const props = liveProps({ view });
  component = mount(FloorPanel, { target: document.body, props });
  flushSync();
  return props;
}

const all = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const sent = (command: string) => calls.filter((call) => call.command === command).map((call) => call.args);

const waiting: Floor = {
  queue: [speechRequest(5, "Lê Văn Năm", 2), speechRequest(3, "Nguyễn Văn Ba", 2), speechRequest(9, "Phạm Thị Chín")],
  speaking: null,
};

describe("a councillor", () => {
  it("asks to speak on the item under discussion, sees their place, and withdraws", async () => {
    const props = show(viewWith({ queue: [speechRequest(5, "Lê Văn Năm", 2)], speaking: null }));
    expect(byTestId("my-floor-status")).toBeNull();
    expect(byTestId("floor")!.textContent).toContain("Đăng ký phát biểu về nội dung đang thảo luận: Nội dung 2");
    const ask = byTestId("request-to-speak") as HTMLButtonElement;
    expect(ask.textContent?.trim()).toBe("Xin phát biểu");
    ask.focus();
    ask.click();
    await vi.waitFor(() => expect(sent("request_to_speak")).toEqual([{ itemId: 2 }]));

    // The server puts them second; the mirror says so.
    props.view = viewWith(waiting);
    flushSync();
    const status = byTestId("my-floor-status")!;
    expect(status.dataset.place).toBe("2");
    expect(status.textContent?.trim()).toBe("Bạn đang chờ phát biểu — thứ 2");
    expect(byTestId("request-to-speak")).toBeNull();
    // Focus went on to what replaced the pressed button.
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("withdraw-request")));
    expect(all("queued-speaker").map((row) => row.dataset.userId)).toEqual(["5", "3", "9"]);
    expect(all("queued-speaker")[1].textContent).toContain("(bạn)");
    // A delegate runs nothing: no chair controls.
    expect(byTestId("grant-floor")).toBeNull();
    expect(byTestId("move-down")).toBeNull();

    byTestId("withdraw-request")!.click();
    await vi.waitFor(() => expect(sent("withdraw_speech_request")).toEqual([{ userId: null }]));
  });

  it("asks on the meeting in general when no item is under discussion", async () => {
    const view = viewWith({ queue: [], speaking: null });
    view.state!.current_item = null;
    show(view);
    expect(byTestId("floor")!.textContent).toContain("Đăng ký phát biểu chung về cuộc họp");
    byTestId("request-to-speak")!.click();
    await vi.waitFor(() => expect(sent("request_to_speak")).toEqual([{ itemId: null }]));
  });

  it("ends their own speech", async () => {
    show(viewWith({ queue: [], speaking: speech(3, "Nguyễn Văn Ba", Date.now() / 1000, 120) }));
    expect(byTestId("my-floor-status")!.textContent?.trim()).toBe("Bạn đang phát biểu");
    expect(byTestId("request-to-speak")).toBeNull();
    const end = all("end-speech");
    expect(end.map((button) => button.textContent?.trim())).toEqual(["Kết thúc phát biểu"]);
    end[0].click();
    await vi.waitFor(() => expect(sent("end_speech")).toEqual([{}]));
  });

  it("shows the server's refusal in plain words where it happened", async () => {
    setLocale("vi");
    calls = recordCalls(() =>
      Promise.reject({ code: "invalid_command", message_vi: "Bạn đã đăng ký phát biểu rồi", message_en: "Already waiting", detail: "" }),
    );
    component = mount(FloorPanel, { target: document.body, props: { view: viewWith({ queue: [], speaking: null }) } });
    flushSync();
    byTestId("request-to-speak")!.click();
    const error = await vi.waitFor(() => {
      const shown = byTestId("floor-error");
      if (!shown) throw new Error("no error yet");
      return shown;
    });
    expect(error.textContent).toContain("Bạn đã đăng ký phát biểu rồi");
  });
});

describe("who runs the meeting", () => {
  it("gives the floor to the right member for the minutes chosen, three by default", async () => {
    show(viewWith(waiting, { ...chair, may: chairMay }));
    const rows = all("queued-speaker");
    const minutes = rows[1].querySelector<HTMLSelectElement>('[data-testid="grant-minutes"]')!;
    expect(minutes.value).toBe("3");
    expect([...minutes.options].map((option) => option.textContent)).toEqual(["1 phút", "2 phút", "3 phút", "5 phút", "10 phút"]);
    // The choice has a visible label tied to it.
    expect(minutes.closest("label")!.textContent).toContain("Thời gian");
    minutes.value = "5";
    minutes.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    rows[1].querySelector<HTMLElement>('[data-testid="grant-floor"]')!.click();
    await vi.waitFor(() => expect(sent("grant_floor")).toEqual([{ userId: 3, seconds: 300 }]));

    // Another speaker, left at the default.
    await vi.waitFor(() => expect((rows[2].querySelector('[data-testid="grant-floor"]') as HTMLButtonElement).disabled).toBe(false));
    rows[2].querySelector<HTMLElement>('[data-testid="grant-floor"]')!.click();
    await vi.waitFor(() => expect(sent("grant_floor")).toEqual([{ userId: 3, seconds: 300 }, { userId: 9, seconds: 180 }]));
  });

  it("moves a speaker down or up by sending the whole new order, and removes one by their id", async () => {
    show(viewWith(waiting, { ...chair, may: chairMay }));
    const rows = all("queued-speaker");
    expect((rows[0].querySelector('[data-testid="move-up"]') as HTMLButtonElement).disabled).toBe(true);
    expect((rows[2].querySelector('[data-testid="move-down"]') as HTMLButtonElement).disabled).toBe(true);
    rows[0].querySelector<HTMLElement>('[data-testid="move-down"]')!.click();
    await vi.waitFor(() => expect(sent("order_speakers")).toEqual([{ userIds: [3, 5, 9] }]));
    const up = rows[2].querySelector<HTMLButtonElement>('[data-testid="move-up"]')!;
    await vi.waitFor(() => expect(up.disabled).toBe(false));
    up.click();
    await vi.waitFor(() => expect(sent("order_speakers")).toEqual([{ userIds: [3, 5, 9] }, { userIds: [5, 9, 3] }]));
    const remove = rows[1].querySelector<HTMLButtonElement>('[data-testid="remove-speaker"]')!;
    await vi.waitFor(() => expect(remove.disabled).toBe(false));
    expect(remove.textContent?.trim()).toBe("Xóa");
    remove.click();
    await vi.waitFor(() => expect(sent("withdraw_speech_request")).toEqual([{ userId: 3 }]));
  });

  it("ends the speech in progress", async () => {
    show(viewWith({ queue: [], speaking: speech(5, "Lê Văn Năm", Date.now() / 1000) }, { ...chair, may: chairMay }));
    const end = all("end-speech");
    expect(end.map((button) => button.textContent?.trim())).toEqual(["Kết thúc"]);
    end[0].click();
    await vi.waitFor(() => expect(sent("end_speech")).toEqual([{}]));
  });

  it("lets the secretariat run the queue but offers it no request to speak", () => {
    show(
      viewWith(waiting, {
        role: "secretariat",
        user: { id: 2, username: "tk", full_name: "Đỗ Thị Thư", position: "Thư ký" },
        may: capabilities({ vote: false, manage_polls: true, manage_members: true, mark_attendance: true, run_meeting: true }),
      }),
    );
    expect(byTestId("request-to-speak")).toBeNull();
    expect(byTestId("my-floor-status")).toBeNull();
    expect(all("grant-floor")).toHaveLength(3);
    expect(all("remove-speaker")).toHaveLength(3);
  });
});

describe("the speech in progress", () => {
  it("counts down by the server's clock and then says plainly how far over it is", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-12-01T01:30:00Z"));
    // The laptop runs two minutes slow: by the server the speech started 100 s ago, three minutes given.
    const serverNow = Date.parse("2026-12-01T01:32:00Z") / 1000;
    show(
      viewWith(
        { queue: [], speaking: speech(5, "Lê Văn Năm", serverNow - 100, 180, 2) },
        { server_clock_offset_ms: 120_000 },
      ),
    );
    const now = byTestId("speaking-now")!;
    expect(now.dataset.userId).toBe("5");
    expect(now.textContent).toContain("Lê Văn Năm");
    expect(now.textContent).toContain("Về: Nội dung 2");
    const countdown = byTestId("speech-countdown")!;
    expect(countdown.getAttribute("role")).toBe("timer");
    expect(countdown.textContent?.trim()).toBe("Còn 1:20");
    expect(countdown.dataset.remaining).toBe("80");
    expect(countdown.classList.contains("over")).toBe(false);

    vi.advanceTimersByTime(79_000);
    flushSync();
    expect(byTestId("speech-countdown")!.textContent?.trim()).toBe("Còn 0:01");

    vi.advanceTimersByTime(43_000);
    flushSync();
    const over = byTestId("speech-countdown")!;
    expect(over.textContent?.trim()).toBe("! Quá giờ 0:42");
    expect(over.dataset.remaining).toBe("-42");
    expect(over.dataset.over).toBe("true");
    expect(over.classList.contains("over")).toBe(true);
    // Said once, in a polite status, not by the timer every second.
    expect(document.querySelector('.floor [role="status"]')!.textContent).toContain("Hết thời gian phát biểu của Lê Văn Năm");
  });

  it("says so when nobody has the floor and nobody waits", () => {
    show(viewWith({ queue: [], speaking: null }));
    expect(byTestId("speaking-now")).toBeNull();
    expect(byTestId("speech-countdown")).toBeNull();
    expect(byTestId("nobody-speaking")!.textContent).toContain("Chưa có ai đang phát biểu");
    expect(byTestId("queue-empty")!.textContent).toContain("Chưa có ai đăng ký phát biểu");
  });
});

describe("the presenter", () => {
  it("is named by the chair from the speaker or a waiting member, shown by name, and withdrawn", async () => {
    const speaking: Floor = { ...waiting, speaking: speech(7, "Trần Văn Bảy", Date.now() / 1000) };
    const props = show(viewWith(speaking, { ...chair, may: chairMay }));
    expect(byTestId("presenter-named")).toBeNull();
    expect(byTestId("unname-presenter")).toBeNull();
    // The speaker and each one waiting can be let present.
    expect(all("name-presenter").map((button) => button.dataset.userId)).toEqual(["7", "5", "3", "9"]);
    const row = all("queued-speaker")[0];
    const name = row.querySelector<HTMLButtonElement>('[data-testid="name-presenter"]')!;
    expect(name.textContent?.trim()).toBe("Cho trình chiếu");
    // Tied to the member's name for a screen reader.
    expect(document.getElementById(name.getAttribute("aria-describedby")!)?.textContent).toContain("Lê Văn Năm");
    name.focus();
    name.click();
    await vi.waitFor(() => expect(sent("set_presenter")).toEqual([{ userId: 5 }]));

    props.view = viewWith(speaking, { ...chair, may: chairMay, state: { ...viewWith(speaking).state!, presenter: 5 } });
    flushSync();
    const named = byTestId("presenter-named")!;
    expect(named.dataset.userId).toBe("5");
    expect(named.textContent).toContain("Người trình chiếu: Lê Văn Năm");
    // Named already: no second button for them.
    expect(all("name-presenter").map((button) => button.dataset.userId)).toEqual(["7", "3", "9"]);
    const unname = byTestId("unname-presenter") as HTMLButtonElement;
    await vi.waitFor(() => expect(document.activeElement).toBe(unname));
    expect(unname.textContent?.trim()).toBe("Thôi trình chiếu");
    unname.click();
    await vi.waitFor(() => expect(sent("set_presenter")).toEqual([{ userId: 5 }, { userId: null }]));
  });

  it("is told it is their turn to present; a councillor names nobody", () => {
    show(viewWith(waiting, { state: { ...viewWith(waiting).state!, presenter: 3 } }));
    expect(all("name-presenter")).toHaveLength(0);
    expect(byTestId("unname-presenter")).toBeNull();
    expect(byTestId("presenter-named")!.textContent).toContain("Chủ tọa đã cho bạn trình chiếu");
  });

  it("is shown to everyone, by name when the state knows it", () => {
    show(viewWith({ queue: [], speaking: null }, { state: { ...viewWith({ queue: [], speaking: null }).state!, presenter: 12 } }));
    expect(byTestId("presenter-named")!.textContent).toContain("Đã có đại biểu được cho trình chiếu");
    expect(all("name-presenter")).toHaveLength(0);
  });
});

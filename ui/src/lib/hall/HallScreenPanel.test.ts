// @vitest-environment happy-dom
// The hall screen's panel for who runs the meeting: folded under the agenda, it makes a code and
// shows it large in groups of four with the address to open on the TV and until when it works;
// revoking every code asks first; the server's refusals are shown. A councillor has no panel.

import { flushSync, mount } from "svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AppError, HallScreen, MirrorView } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import MeetingScreen from "../meeting/MeetingScreen.svelte";
import { capabilities, mirrorView } from "../testing/fixtures";
import { liveProps } from "../testing/liveProps.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import HallScreenPanel from "./HallScreenPanel.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

beforeAll(() => {
  // Tauri's mocks install themselves on `window`.
  Object.assign(globalThis, { window: globalThis.window ?? globalThis });
});

afterEach(() => {
  cleanUp(component);
  component = null;
  vi.restoreAllMocks();
});

const secretariat: MirrorView = mirrorView({
  role: "secretariat",
  user: { id: 9, username: "tk", full_name: "Phạm Thư Ký", position: "Thư ký kỳ họp" },
  may: capabilities({ vote: false, manage_polls: true, mark_attendance: true, run_meeting: true }),
});

/** Made at 08:30 on 1 December 2026, Vietnam time: it works until 08:30 on the 4th. */
const FIRST: HallScreen = {
  code: "K7QM-2XPD-9RTA",
  address: "http://192.168.1.10:8080/hall?meeting=7&code=K7QM-2XPD-9RTA",
  expires_at: Date.parse("2026-12-04T01:30:00Z") / 1000,
};
const SECOND: HallScreen = {
  code: "W3HN-8CEJ-4MUY",
  address: "http://192.168.1.10:8080/hall?meeting=7&code=W3HN-8CEJ-4MUY",
  expires_at: Date.parse("2026-12-04T01:45:00Z") / 1000,
};

const forbidden: AppError = {
  code: "forbidden",
  message_vi: "Bạn không có quyền thực hiện thao tác này",
  message_en: "You are not allowed to do this",
  detail: "",
};

const commands = () => calls.map((call) => call.command);
const announcement = () => byTestId("hall-screen-announcement")!.textContent;

/** Mounts the panel for the secretariat, answering the backend with `answer`, and unfolds it. */
function openPanel(answer: (command: string) => unknown, view: MirrorView = secretariat) {
  setLocale("vi");
  calls = recordCalls(answer);
  component = mount(HallScreenPanel, { target: document.body, props: { view } });
  flushSync();
  const toggle = byTestId("hall-screen-toggle")!;
  expect(toggle.getAttribute("aria-expanded")).toBe("false");
  expect(byTestId("hall-screen-create")).toBeNull();
  toggle.click();
  flushSync();
  expect(toggle.getAttribute("aria-expanded")).toBe("true");
}

/** Answers `hall_link` with each of `screens` in turn. */
function makes(...screens: HallScreen[]) {
  const queue = [...screens];
  return (command: string) => (command === "hall_link" ? queue.shift() : null);
}

async function createCode(expected: string) {
  byTestId("hall-screen-create")!.click();
  await vi.waitFor(() => expect(byTestId("hall-screen-code")?.textContent).toBe(expected));
}

describe("making a code", () => {
  it("shows the code in groups of four, the address and until when it works in the hall's time", async () => {
    openPanel(makes(FIRST));
    expect(byTestId("hall-screen-create")!.textContent?.trim()).toBe("Tạo mã cho màn hình hội trường");
    expect(byTestId("hall-screen-code")).toBeNull();
    expect(commands()).toEqual([]);

    await createCode("K7QM-2XPD-9RTA");
    const code = byTestId("hall-screen-code")!;
    expect([...code.querySelectorAll(".group")].map((group) => group.textContent)).toEqual(["K7QM", "2XPD", "9RTA"]);
    expect(byTestId("hall-screen-address")!.textContent).toBe(FIRST.address);
    const expiry = byTestId("hall-screen-expiry")!;
    expect(expiry.textContent?.trim()).toBe("Mã dùng được đến 08:30 ngày 04/12/2026");
    expect(expiry.querySelector("time")!.getAttribute("datetime")).toBe("2026-12-04T01:30:00.000Z");
    expect(announcement()).toBe("Đã tạo mã");
    expect(commands()).toEqual(["hall_link"]);
  });

  it("a second press makes a new code and shows it in place of the first", async () => {
    openPanel(makes(FIRST, SECOND));
    await createCode("K7QM-2XPD-9RTA");
    await createCode("W3HN-8CEJ-4MUY");
    expect(byTestId("hall-screen-address")!.textContent).toBe(SECOND.address);
    expect(byTestId("hall-screen-expiry")!.textContent?.trim()).toBe("Mã dùng được đến 08:45 ngày 04/12/2026");
    expect(commands()).toEqual(["hall_link", "hall_link"]);
  });

  it("says the expiry in English too", async () => {
    openPanel(makes(FIRST));
    setLocale("en");
    flushSync();
    expect(byTestId("hall-screen-create")!.textContent?.trim()).toBe("Make a code for the hall screen");
    await createCode("K7QM-2XPD-9RTA");
    expect(byTestId("hall-screen-expiry")!.textContent?.trim()).toBe("The code works until 08:30 on 04/12/2026");
  });

  it("shows the server's refusal and no code", async () => {
    openPanel((command) => {
      if (command === "hall_link") throw forbidden;
      return null;
    });
    byTestId("hall-screen-create")!.click();
    await vi.waitFor(() => expect(byTestId("hall-screen-error")?.textContent).toContain("Bạn không có quyền thực hiện thao tác này"));
    expect(byTestId("hall-screen-error")!.dataset.errorCode).toBe("forbidden");
    expect(byTestId("hall-screen-code")).toBeNull();
    expect(announcement()).toBe("");
  });
});

describe("copying the address", () => {
  it("puts the address on the clipboard", async () => {
    const writeText = vi.spyOn(navigator.clipboard, "writeText").mockResolvedValue(undefined);
    openPanel(makes(FIRST));
    await createCode("K7QM-2XPD-9RTA");
    const copy = byTestId("hall-screen-copy")!;
    expect(copy.textContent?.trim()).toBe("Sao chép địa chỉ");
    copy.click();
    await vi.waitFor(() => expect(byTestId("hall-screen-copied")?.textContent).toBe("✓ Đã sao chép địa chỉ"));
    expect(writeText).toHaveBeenCalledWith(FIRST.address);
    expect(byTestId("hall-screen-copy-failed")).toBeNull();
  });

  it("when the clipboard refuses, selects the address and says to copy it by hand", async () => {
    vi.spyOn(navigator.clipboard, "writeText").mockRejectedValue(new Error("not allowed"));
    openPanel(makes(FIRST));
    await createCode("K7QM-2XPD-9RTA");
    byTestId("hall-screen-copy")!.click();
    await vi.waitFor(() =>
      expect(byTestId("hall-screen-copy-failed")?.textContent).toBe(
        "Không sao chép tự động được: hãy chọn địa chỉ ở trên rồi bấm Ctrl+C.",
      ),
    );
    expect(getSelection()?.toString()).toBe(FIRST.address);
    expect(byTestId("hall-screen-copied")).toBeNull();
  });

  it("when there is no clipboard at all, says so too", async () => {
    vi.spyOn(navigator, "clipboard", "get").mockReturnValue(undefined as unknown as Clipboard);
    openPanel(makes(FIRST));
    await createCode("K7QM-2XPD-9RTA");
    byTestId("hall-screen-copy")!.click();
    await vi.waitFor(() => expect(byTestId("hall-screen-copy-failed")).not.toBeNull());
  });
});

describe("revoking every code", () => {
  it("asks first, and keeps the codes when told not to", async () => {
    openPanel(makes(FIRST));
    await createCode("K7QM-2XPD-9RTA");
    const revoke = byTestId("hall-screen-revoke")!;
    expect(revoke.textContent?.trim()).toBe("Thu hồi mọi mã");
    revoke.click();
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("hall-screen-revoke-no")));
    expect(byTestId("hall-screen-revoke-confirm")!.textContent).toContain(
      "Mọi màn hình đang mở bằng mã của cuộc họp này sẽ tắt ngay. Thu hồi?",
    );
    expect(commands()).toEqual(["hall_link"]);

    byTestId("hall-screen-revoke-no")!.click();
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("hall-screen-revoke")));
    expect(byTestId("hall-screen-revoke-confirm")).toBeNull();
    expect(byTestId("hall-screen-code")!.textContent).toBe("K7QM-2XPD-9RTA");
    expect(commands()).toEqual(["hall_link"]);
  });

  it("on yes, revokes them, says how many and hides the code", async () => {
    openPanel((command) => (command === "hall_link" ? FIRST : command === "revoke_hall_links" ? 2 : null));
    await createCode("K7QM-2XPD-9RTA");
    byTestId("hall-screen-revoke")!.click();
    flushSync();
    byTestId("hall-screen-revoke-yes")!.click();
    const revoked = await vi.waitFor(() => {
      const line = byTestId("hall-screen-revoked");
      if (!line) throw new Error("not revoked yet");
      return line;
    });
    expect(revoked.textContent).toBe("✓ Đã thu hồi 2 mã");
    expect(revoked.dataset.count).toBe("2");
    expect(byTestId("hall-screen-code")).toBeNull();
    expect(byTestId("hall-screen-address")).toBeNull();
    expect(byTestId("hall-screen-revoke-confirm")).toBeNull();
    await vi.waitFor(() => expect(announcement()).toBe("Đã thu hồi 2 mã"));
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("hall-screen-revoke")));
    expect(commands()).toEqual(["hall_link", "revoke_hall_links"]);
  });

  it("shows the server's refusal and keeps the code shown", async () => {
    openPanel((command) => {
      if (command === "revoke_hall_links") throw forbidden;
      return command === "hall_link" ? FIRST : null;
    });
    await createCode("K7QM-2XPD-9RTA");
    byTestId("hall-screen-revoke")!.click();
    flushSync();
    byTestId("hall-screen-revoke-yes")!.click();
    await vi.waitFor(() => expect(byTestId("hall-screen-error")?.textContent).toContain("Bạn không có quyền thực hiện thao tác này"));
    expect(byTestId("hall-screen-revoked")).toBeNull();
    expect(byTestId("hall-screen-code")!.textContent).toBe("K7QM-2XPD-9RTA");
    expect(commands()).toEqual(["hall_link", "revoke_hall_links"]);
  });
});

describe("who sees the panel in the meeting", () => {
  function showMeeting(view: MirrorView) {
    setLocale("vi");
    calls = recordCalls(() => null);
    const props = liveProps({ view, chosenItemId: null as number | null, onLogout: () => {}, onRelogin: () => {} });
    component = mount(MeetingScreen, { target: document.body, props });
    flushSync();
    return props;
  }

  it("who runs the meeting finds it folded in the agenda column", () => {
    showMeeting(secretariat);
    const toggle = byTestId("hall-screen-toggle")!;
    expect(toggle.closest(".agenda-column")).not.toBeNull();
    expect(toggle.textContent).toContain("▸");
    expect(toggle.textContent).toContain("Màn hình hội trường");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    // Folded, it asks the server nothing.
    expect(commands()).not.toContain("hall_link");
  });

  it("a councillor has none, nor does a chair the view does not let run the meeting", () => {
    const props = showMeeting(mirrorView());
    expect(byTestId("agenda-list")).not.toBeNull();
    expect(byTestId("hall-screen-panel")).toBeNull();
    props.view = mirrorView({ role: "chair", may: capabilities({ run_meeting: false }) });
    flushSync();
    expect(byTestId("hall-screen-panel")).toBeNull();
    props.view = mirrorView({ role: "chair", may: capabilities({ run_meeting: true }) });
    flushSync();
    expect(byTestId("hall-screen-panel")).not.toBeNull();
  });
});

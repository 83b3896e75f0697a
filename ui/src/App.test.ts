// @vitest-environment happy-dom
// The whole app mounted in a simulated DOM against a fake backend: the same journey as the
// end-to-end test (login, live agenda, document viewer, vote, result), checked without the Rust
// side, through the `data-testid`s that test relies on.

import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockConvertFileSrc, mockIPC } from "@tauri-apps/api/mocks";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import type { AppError, MirrorView } from "./lib/backend";
import { setLocale } from "./lib/i18n/locale.svelte";
import type { MeetingSummary } from "./lib/protocol/MeetingSummary";
import type { Poll } from "./lib/protocol/Poll";
import { capabilities, document as doc, item, meeting, mirrorView, poll } from "./lib/testing/fixtures";

type Handler = (args: Record<string, unknown>) => unknown;

const summary: MeetingSummary = {
  id: 7,
  title: "Kỳ họp thứ 12",
  location: "Hội trường A",
  starts_at: "",
  role: "delegate",
};

let app: ReturnType<typeof mount> | null = null;
let calls: { command: string; args: Record<string, unknown> }[] = [];

/** Installs a fake backend; commands not named answer `null`. */
function backend(handlers: Record<string, Handler>) {
  calls = [];
  mockIPC(
    (command, args) => {
      const record = (args ?? {}) as Record<string, unknown>;
      calls.push({ command, args: record });
      const handler = handlers[command];
      return handler ? handler(record) : null;
    },
    { shouldMockEvents: true },
  );
  mockConvertFileSrc("linux");
}

function byTestId(id: string, root: ParentNode = document): HTMLElement | null {
  return root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
}

function allByTestId(id: string, root: ParentNode = document): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
}

async function shown(id: string, root: ParentNode = document): Promise<HTMLElement> {
  return vi.waitFor(() => {
    const element = byTestId(id, root);
    if (!element) throw new Error(`${id} is not shown`);
    return element;
  });
}

function type(id: string, value: string) {
  const input = byTestId(id) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

async function pushMirror(view: MirrorView) {
  await emit("mirror-changed", view);
  flushSync();
}

/** Logs in, chooses the second agenda item and opens its first document in the reader. */
async function openSecondItemsDocument() {
  startApp();
  await logIn();
  allByTestId("agenda-item")[1].click();
  flushSync();
  (await shown("document-open")).click();
  await shown("page-image");
}

async function logIn() {
  await shown("login-server");
  type("login-username", "db003");
  type("login-password", "secret");
  byTestId("login-submit")!.click();
  return shown("meeting-title");
}

const withDocument = item(2, 1, [doc(21, 2, 12)]);
const firstView = mirrorView({ state: meeting([item(1, 0), withDocument]) });

function startApp() {
  app = mount(App, { target: document.body });
}

beforeEach(() => {
  Object.assign(globalThis, { window: globalThis.window ?? globalThis });
  setLocale("vi");
});

afterEach(() => {
  if (app) unmount(app);
  app = null;
  clearMocks();
  document.body.innerHTML = "";
});

describe("login", () => {
  it("prefills the server address and opens the only meeting directly", async () => {
    backend({
      app_defaults: () => ({ server_url: "http://127.0.0.1:43125", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: () => firstView,
    });
    startApp();
    const server = (await shown("login-server")) as HTMLInputElement;
    expect(server.value).toBe("http://127.0.0.1:43125");

    const title = await logIn();
    expect(title.textContent?.trim()).toBe("Kỳ họp thứ 12");
    // Focus starts at the meeting's title, where the person now is.
    expect(document.activeElement).toBe(title);
    expect(calls.find((call) => call.command === "login")?.args).toEqual({
      serverUrl: "http://127.0.0.1:43125",
      username: "db003",
      password: "secret",
    });
    expect(calls.find((call) => call.command === "open_meeting")?.args).toEqual({ meetingId: 7 });
    expect(allByTestId("agenda-item").map((element) => element.dataset.itemId)).toEqual(["1", "2"]);
    expect(byTestId("connection-status")?.textContent?.trim()).toBe("Đã kết nối");
  });

  it("reopens the meeting of the last session kept on the laptop, without asking to log in", async () => {
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      resume_saved: () => ({ ...firstView, connection: "offline" }),
    });
    startApp();
    await shown("meeting-title");
    expect(byTestId("login-server")).toBeNull();
    expect(byTestId("connection-status")?.dataset.connection).toBe("offline");
    expect(calls.some((call) => call.command === "login")).toBe(false);
  });

  it("shows a wrong password in plain words, in the chosen language", async () => {
    const wrong: AppError = {
      code: "wrong_credentials",
      message_vi: "Tên đăng nhập hoặc mật khẩu không đúng",
      message_en: "Wrong username or password",
      detail: "",
    };
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "db003", reconfirm_after_minutes: 5 }),
      login: () => {
        throw wrong;
      },
    });
    startApp();
    await shown("login-server");
    type("login-password", "wrong");
    byTestId("login-submit")!.click();
    const error = await shown("login-error");
    expect(error.textContent).toContain("Tên đăng nhập hoặc mật khẩu không đúng");

    byTestId("locale-switch")!.click();
    flushSync();
    expect(byTestId("login-error")!.textContent).toContain("Wrong username or password");
    // Its name is what it shows, then what it does: a voice user says "VI EN" to press it.
    const language = byTestId("locale-switch")!;
    expect(language.getAttribute("aria-label")).toBeNull();
    expect(language.textContent!.replace(/\s+/g, " ").trim()).toBe("VI| EN Switch to Vietnamese");
    expect(byTestId("login-submit")!.textContent?.trim()).toBe("Log in");
  });

  it("logs in by itself when launched with --auto-login and tells the app when the agenda shows", async () => {
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "db003", reconfirm_after_minutes: 5 }),
      auto_login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: () => firstView,
    });
    startApp();
    const title = await shown("meeting-title");
    expect(title.textContent?.trim()).toBe("Kỳ họp thứ 12");
    expect(calls.some((call) => call.command === "login")).toBe(false);
    expect(calls.find((call) => call.command === "open_meeting")?.args).toEqual({ meetingId: 7 });
    await vi.waitFor(() => expect(calls.filter((call) => call.command === "agenda_shown")).toHaveLength(1));
  });

  it("shows the login form and the reason when the automatic login is refused", async () => {
    const wrong: AppError = {
      code: "wrong_credentials",
      message_vi: "Tên đăng nhập hoặc mật khẩu không đúng",
      message_en: "Wrong username or password",
      detail: "",
    };
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "db003", reconfirm_after_minutes: 5 }),
      auto_login: () => {
        throw wrong;
      },
    });
    startApp();
    const error = await shown("login-error");
    expect(error.textContent).toContain("Tên đăng nhập hoặc mật khẩu không đúng");
    expect((byTestId("login-username") as HTMLInputElement).value).toBe("db003");
  });

  it("keeps a mirror that arrived while the meeting was opening over the older answer", async () => {
    const opening = mirrorView({ seq: 0, state: null, connection: "connecting" });
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: async () => {
        // The snapshot is applied and announced before the command's own answer gets back.
        await emit("mirror-changed", firstView);
        return opening;
      },
    });
    startApp();
    await logIn();
    await vi.waitFor(() =>
      expect(allByTestId("agenda-item").map((element) => element.dataset.itemId)).toEqual(["1", "2"]),
    );
    expect(byTestId("connection-status")?.textContent?.trim()).toBe("Đã kết nối");
  });

  it("asks for empty fields before calling the server", async () => {
    backend({ app_defaults: () => ({ server_url: "", username: "", reconfirm_after_minutes: 5 }) });
    startApp();
    await shown("login-server");
    byTestId("login-submit")!.click();
    flushSync();
    expect(byTestId("login-error")?.textContent).toContain("Vui lòng nhập đủ");
    expect(calls.some((call) => call.command === "login")).toBe(false);
  });

  it("lists the meetings when there is more than one", async () => {
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary, { ...summary, id: 8, title: "Kỳ họp thứ 13" }] }),
      open_meeting: () => firstView,
    });
    startApp();
    await shown("login-server");
    type("login-username", "db003");
    type("login-password", "secret");
    byTestId("login-submit")!.click();
    await vi.waitFor(() => expect(allByTestId("meeting-choice")).toHaveLength(2));
    expect(calls.some((call) => call.command === "open_meeting")).toBe(false);
    allByTestId("meeting-choice")[1].click();
    await shown("meeting-title");
    expect(calls.find((call) => call.command === "open_meeting")?.args).toEqual({ meetingId: 8 });
  });

  it("keeps one who may create meetings on the list, where the button to create one is", async () => {
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary], may_create_meetings: true }),
      open_meeting: () => firstView,
    });
    startApp();
    await shown("login-server");
    type("login-username", "tk");
    type("login-password", "secret");
    byTestId("login-submit")!.click();
    await shown("create-meeting");
    expect(allByTestId("meeting-choice")).toHaveLength(1);
    expect(calls.some((call) => call.command === "open_meeting")).toBe(false);
  });

  it("shows the meetings kept on the laptop and removes an old one after a yes", async () => {
    const kept = (meetings: { meeting_id: number; title: string; bytes: number }[]) => ({
      bytes: meetings.reduce((sum, meeting) => sum + meeting.bytes, 0),
      meetings: meetings.map((meeting) => ({ server: "http://s", starts_at: "", files: 3, opened_at: 0, ...meeting })),
    });
    let keptNow = kept([
      { meeting_id: 7, title: "Kỳ họp thứ 12", bytes: 3 * 1024 * 1024 },
      { meeting_id: 5, title: "Kỳ họp thứ 10", bytes: 12 * 1024 * 1024 },
    ]);
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary, { ...summary, id: 8, title: "Kỳ họp thứ 13" }] }),
      kept_meetings: () => keptNow,
      remove_kept_meeting: () => {
        keptNow = kept([{ meeting_id: 7, title: "Kỳ họp thứ 12", bytes: 3 * 1024 * 1024 }]);
        return 12 * 1024 * 1024;
      },
    });
    startApp();
    await shown("login-server");
    type("login-username", "db003");
    type("login-password", "secret");
    byTestId("login-submit")!.click();
    await vi.waitFor(() => expect(allByTestId("kept-meeting")).toHaveLength(2));
    expect(byTestId("kept-meetings")?.textContent).toContain("Đang dùng 15,0 MB");

    allByTestId("kept-remove")[1].click();
    flushSync();
    expect(calls.some((call) => call.command === "remove_kept_meeting")).toBe(false);
    (await shown("kept-remove-yes")).click();
    await vi.waitFor(() => expect(allByTestId("kept-meeting")).toHaveLength(1));
    expect(calls.find((call) => call.command === "remove_kept_meeting")?.args).toEqual({
      server: "http://s",
      meetingId: 5,
    });
    expect(byTestId("kept-meetings")?.textContent).toContain("Đã xoá, giải phóng 12,0 MB");
  });

  it("keeps the server last logged in to for the next login after logging out", async () => {
    backend({
      app_defaults: () => ({ server_url: "http://launch:8080", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: () => firstView,
    });
    startApp();
    await shown("login-server");
    type("login-server", "http://10.0.0.5:8080");
    await logIn();
    const buttons = [...document.querySelectorAll("button")];
    buttons.find((button) => button.textContent?.trim() === "Đăng xuất")!.click();

    const server = (await shown("login-server")) as HTMLInputElement;
    expect(calls.some((call) => call.command === "logout")).toBe(true);
    expect(server.value).toBe("http://10.0.0.5:8080");
  });
});

describe("locked laptop", () => {
  const locked: AppError = {
    code: "locked",
    message_vi: "Tài liệu và ghi chú trên máy này đã được khoá. Hãy nhập mật khẩu để mở",
    message_en: "The documents and notes on this laptop are locked. Enter your password to open them",
    detail: "",
  };
  const owner = { server_url: "http://10.0.0.5:8080", user_id: 3, username: "db003", full_name: "Nguyễn Văn Ba" };

  /** A laptop whose saved session is locked until `unlock`; then `afterUnlock` is what resumes. */
  function lockedLaptop(afterUnlock: MirrorView | null, extra: Record<string, Handler> = {}) {
    let open = false;
    backend({
      app_defaults: () => ({ server_url: "http://launch:8080", username: "", reconfirm_after_minutes: 5 }),
      vault_owner: () => owner,
      unlock: () => {
        open = true;
        return null;
      },
      resume_saved: () => {
        if (!open) throw locked;
        return afterUnlock;
      },
      ...extra,
    });
  }

  async function unlockWith(password: string) {
    await shown("unlock-screen");
    type("unlock-password", password);
    byTestId("unlock-submit")!.click();
  }

  it("asks the owner's password instead of the login form, then reopens their meeting", async () => {
    lockedLaptop({ ...firstView, connection: "offline" });
    startApp();
    const screen = await shown("unlock-screen");
    expect(screen.textContent).toContain("Nguyễn Văn Ba");
    expect(byTestId("login-server")).toBeNull();
    expect(calls.some((call) => call.command === "auto_login")).toBe(false);
    // Nothing of the meeting is followed before the laptop is unlocked.
    await pushMirror({ ...firstView, seq: 99, state: meeting([item(9, 0)]) });

    await unlockWith("secret");
    await shown("meeting-title");
    expect(calls.find((call) => call.command === "unlock")?.args).toEqual({ password: "secret" });
    expect(calls.filter((call) => call.command === "resume_saved")).toHaveLength(2);
    expect(allByTestId("agenda-item").map((element) => element.dataset.itemId)).toEqual(["1", "2"]);
    expect(byTestId("connection-status")?.dataset.connection).toBe("offline");
  });

  it("opens the login form for the owner when, unlocked, there is no meeting to reopen", async () => {
    lockedLaptop(null);
    startApp();
    await unlockWith("secret");
    const server = (await shown("login-server")) as HTMLInputElement;
    expect(server.value).toBe("http://10.0.0.5:8080");
    expect((byTestId("login-username") as HTMLInputElement).value).toBe("db003");
    expect(byTestId("unlock-screen")).toBeNull();
  });

  it("opens the login form as launched for someone else", async () => {
    lockedLaptop(firstView);
    startApp();
    (await shown("unlock-other-account")).click();
    const server = (await shown("login-server")) as HTMLInputElement;
    expect(server.value).toBe("http://launch:8080");
    expect((byTestId("login-username") as HTMLInputElement).value).toBe("");
    expect(calls.some((call) => call.command === "unlock")).toBe(false);
  });

  it("shows the login form when the laptop cannot say whose it is", async () => {
    lockedLaptop(firstView, { vault_owner: () => null });
    startApp();
    await shown("login-server");
    expect(byTestId("unlock-screen")).toBeNull();
  });
});

describe("meeting", () => {
  beforeEach(() => {
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: () => firstView,
      open_document: () => ({ document: doc(21, 2, 12), page_count: 12, is_current: true }),
    });
  });

  it("follows the agenda live", async () => {
    startApp();
    await logIn();
    const added = item(3, 2);
    added.title = "Mục mới từ API";
    await pushMirror({ ...firstView, seq: 11, state: meeting([...firstView.state!.items, added]) });
    const titles = allByTestId("agenda-item").map((element) => element.textContent ?? "");
    expect(titles).toHaveLength(3);
    expect(titles[2]).toContain("3.");
    expect(titles[2]).toContain("Mục mới từ API");

    await pushMirror({ ...firstView, seq: 12, connection: "offline" });
    expect(byTestId("connection-status")?.textContent?.trim()).toBe(
      "Mất kết nối — thay đổi sẽ được gửi khi có mạng",
    );
  });

  it("shows the meeting packet coming down and marks what is on the laptop", async () => {
    startApp();
    await logIn();
    const packet = {
      meeting_id: firstView.meeting_id,
      state: "downloading",
      files_total: 2,
      files_done: 1,
      bytes_total: 4 * 1024 * 1024,
      bytes_done: 1024 * 1024,
      current: 22,
      available: [21],
      failed: [],
    };
    await emit("packet-changed", packet);
    flushSync();
    const bar = await shown("packet");
    expect(bar.dataset.state).toBe("downloading");
    expect(bar.textContent).toContain("1/2 tệp · 1,0 MB / 4,0 MB");
    expect(bar.querySelector("progress")?.value).toBe(0.25);
    allByTestId("agenda-item")[1].click();
    flushSync();
    expect(allByTestId("available-offline")).toHaveLength(1);

    // Another meeting's packet is not this one's.
    await emit("packet-changed", { ...packet, meeting_id: 99, state: "complete" });
    flushSync();
    expect(byTestId("packet")?.dataset.state).toBe("downloading");

    await emit("packet-changed", { ...packet, state: "complete", files_done: 2, bytes_done: packet.bytes_total });
    flushSync();
    expect(byTestId("packet")?.textContent).toContain("Đã có đủ 2 tài liệu trên máy");
    expect(byTestId("packet")?.querySelector("progress")).toBeNull();
  });

  it("reads a document page by page and zooms", async () => {
    startApp();
    await logIn();
    allByTestId("agenda-item")[1].click();
    flushSync();
    expect(byTestId("item-title")?.textContent?.trim()).toBe(withDocument.title);
    const button = await shown("document-open");
    expect(button.dataset.documentId).toBe("21");
    expect(button.textContent).toContain("12 trang");
    button.click();
    flushSync();
    await shown("viewer");

    const image = (await shown("page-image")) as HTMLImageElement;
    expect(calls.find((call) => call.command === "open_document")?.args).toEqual({ documentId: 21, revision: null });
    const width = Number(image.getAttribute("width"));
    expect(image.getAttribute("src")).toBe(`phonghop://localhost/${"ab".repeat(32)}%2F0%2F${width}`);
    expect(byTestId("page-indicator")?.textContent?.trim()).toBe("Trang 1 / 12");
    expect((byTestId("page-prev") as HTMLButtonElement).disabled).toBe(true);

    byTestId("page-next")!.click();
    flushSync();
    expect(byTestId("page-indicator")?.textContent?.trim()).toBe("Trang 2 / 12");
    expect(byTestId("page-image")?.getAttribute("src")).toContain("%2F1%2F");

    byTestId("zoom-in")!.click();
    flushSync();
    expect(Number(byTestId("page-image")?.getAttribute("width"))).toBeGreaterThan(width);
    byTestId("zoom-out")!.click();
    flushSync();
    expect(Number(byTestId("page-image")?.getAttribute("width"))).toBe(width);

    byTestId("viewer-close")!.click();
    flushSync();
    expect(byTestId("viewer")).toBeNull();
    expect(byTestId("item-title")?.textContent?.trim()).toBe(withDocument.title);
    // Focus goes back to the button that opened the document, not to the top of the screen.
    await vi.waitFor(() => expect(document.activeElement?.getAttribute("data-testid")).toBe("document-open"));
  });

  it("pages by key and by number, fits the page, and goes to a page from its thumbnail", async () => {
    await openSecondItemsDocument();
    const indicator = () => byTestId("page-indicator")?.textContent?.trim();

    window.dispatchEvent(new KeyboardEvent("keydown", { key: "End" }));
    flushSync();
    expect(indicator()).toBe("Trang 12 / 12");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "PageUp" }));
    flushSync();
    expect(indicator()).toBe("Trang 11 / 12");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Home" }));
    flushSync();
    expect(indicator()).toBe("Trang 1 / 12");

    // The reader is a dialog: Shift+Tab from its first control goes to its last, not behind it.
    const close = byTestId("viewer-close")!;
    close.focus();
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Tab", shiftKey: true }));
    expect(document.activeElement).not.toBe(close);
    expect(byTestId("viewer")!.contains(document.activeElement)).toBe(true);

    // Down and up move along the page (its lower half is reachable by keyboard), not to the next.
    const area = byTestId("page-area")!;
    expect(area.getAttribute("tabindex")).toBe("0");
    const scrolled: number[] = [];
    Object.defineProperty(area, "clientHeight", { value: 500 });
    area.scrollBy = ((options: ScrollToOptions) => scrolled.push(Math.sign(options.top ?? 0))) as typeof area.scrollBy;
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown" }));
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowUp" }));
    flushSync();
    expect(scrolled).toEqual([1, -1]);
    expect(indicator()).toBe("Trang 1 / 12");

    const jump = byTestId("page-jump") as HTMLInputElement;
    jump.value = "7";
    jump.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    expect(indicator()).toBe("Trang 7 / 12");

    byTestId("thumbnails-toggle")!.click();
    flushSync();
    if (!byTestId("thumbnails")) {
      byTestId("thumbnails-toggle")!.click();
      flushSync();
    }
    const thumbnails = allByTestId("thumbnail");
    expect(thumbnails).toHaveLength(12);
    expect(thumbnails[6].getAttribute("aria-current")).toBe("page");
    expect(thumbnails[2].querySelector("img")?.getAttribute("src")).toBe(
      `phonghop://localhost/${"ab".repeat(32)}%2F2%2F120%2Fthumbnail`,
    );
    thumbnails[2].click();
    flushSync();
    expect(indicator()).toBe("Trang 3 / 12");

    byTestId("fit-page")!.click();
    flushSync();
    expect(byTestId("fit-page")?.getAttribute("aria-pressed")).toBe("true");
    byTestId("zoom-in")!.click();
    flushSync();
    expect(byTestId("fit-page")?.getAttribute("aria-pressed")).toBe("false");
    expect(byTestId("viewer")?.querySelector('[data-testid="connection-status"]')).not.toBeNull();
  });

  it("opens a search hit at its page with the words marked on the page", async () => {
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: () => firstView,
      open_document: () => ({ document: doc(21, 2, 12), page_count: 12, is_current: true }),
      search: () => ({
        query: "phong hop",
        offline: true,
        hits: [{ document_id: 21, title: "Tờ trình", revision: 1, page: 4, snippet: "Phòng họp", snippet_marks: [] }],
      }),
      page_text: () => ({
        runs: [{ text: "Phòng họp không giấy", left: 0.1, top: 0.2, width: 0.5, height: 0.02 }],
        marks: [{ run: 0, start: 0, end: 9 }],
      }),
    });
    startApp();
    await logIn();
    type("search-input", "phong hop");
    byTestId("search-submit")!.click();
    (await shown("search-hit")).click();
    const image = (await shown("page-image")) as HTMLImageElement;
    expect(byTestId("page-indicator")?.textContent?.trim()).toBe("Trang 5 / 12");
    image.dispatchEvent(new Event("load"));
    const highlight = await shown("search-highlight");
    expect(highlight.textContent).toBe("Phòng họp");
    expect(byTestId("text-layer")?.textContent).toContain("Phòng họp không giấy");
    expect(calls.find((call) => call.command === "page_text")?.args).toEqual({
      sha256: "ab".repeat(32),
      page: 4,
      query: "phong hop",
    });
  });

  it("shows a clear placeholder for a page PDFium cannot draw, and reads an earlier revision", async () => {
    const revised = { ...doc(21, 2, 3), revision: 2, unrenderable_pages: [1] };
    revised.earlier = [{ ...doc(21, 2, 2), revision: 1, sha256: "cd".repeat(32) }];
    const view = mirrorView({ state: meeting([item(1, 0), item(2, 1, [revised])]) });
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: () => view,
      open_document: (args) =>
        args.revision === 1
          ? { document: { ...revised, ...revised.earlier[0], earlier: [] }, page_count: 2, is_current: false }
          : { document: revised, page_count: 3, is_current: true },
    });
    await openSecondItemsDocument();
    byTestId("page-next")!.click();
    flushSync();
    const placeholder = await shown("page-unrenderable");
    expect(placeholder.textContent).toContain("Trang 2 không hiển thị được");
    expect(byTestId("page-image")).toBeNull();
    byTestId("viewer-close")!.click();
    flushSync();

    (await shown("earlier-revision")).click();
    const earlier = await shown("earlier-revision-shown");
    expect(earlier.textContent).toContain("lần 1");
    expect(calls.filter((call) => call.command === "open_document").at(-1)?.args).toEqual({
      documentId: 21,
      revision: 1,
    });
    expect(byTestId("page-image")?.getAttribute("src")).toContain("cd".repeat(32));
  });

  it("lists the annotations that could not be carried onto the new revision and shows each on its old page", async () => {
    const revised = { ...doc(21, 2, 3), revision: 2 };
    revised.earlier = [{ ...doc(21, 2, 2), revision: 1, sha256: "cd".repeat(32) }];
    const view = mirrorView({ state: meeting([item(1, 0), item(2, 1, [revised])]) });
    const lost = {
      id: "m1",
      document_id: 21,
      revision: 1,
      page: 1,
      color: "#ffd400",
      body: {
        kind: "highlight",
        rects: [
          { left: 0.2, top: 0.5, width: 0.3, height: 0.02 },
          { left: 0.1, top: 0.52, width: 0.2, height: 0.02 },
        ],
        quote: { exact: "năm 2027", prefix: "", suffix: "" },
      },
      shared: false,
      deleted: false,
      changed_at: 1,
      device: "d",
      carried_from: null,
    };
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: () => view,
      annotations: () => [],
      unplaced_annotations: () => [{ annotation: lost, reason: "text_gone" }],
      open_document: (args) =>
        args.revision === 1
          ? { document: { ...revised, ...revised.earlier[0], earlier: [] }, page_count: 2, is_current: false }
          : { document: revised, page_count: 3, is_current: true },
    });
    await openSecondItemsDocument();
    const panel = await shown("unplaced-annotations");
    expect(panel.textContent).toContain("Không đặt lại được 1 ghi chú");
    expect(panel.textContent).toContain("“năm 2027”");
    expect(panel.textContent).toContain("đoạn văn đã được sửa hoặc bỏ đi");
    // The old page beside it: revision 1's file, page 2, the highlight's lines ringed.
    const oldPage = byTestId("unplaced-old-page")!;
    expect(decodeURIComponent(oldPage.querySelector("img")!.getAttribute("src")!)).toContain(`${"cd".repeat(32)}/1/90/thumbnail`);
    const mark = oldPage.querySelector<HTMLElement>(".mark")!;
    expect([mark.style.left, mark.style.top, mark.style.width]).toEqual(["10%", "50%", "40%"]);
    oldPage.click();
    await shown("earlier-revision-shown");
    expect(calls.filter((call) => call.command === "open_document").at(-1)?.args).toEqual({
      documentId: 21,
      revision: 1,
    });
    expect(byTestId("page-indicator")?.textContent?.trim()).toBe("Trang 2 / 2");
  });

  it("saves my annotated copy of the revision being read, and says where", async () => {
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: () => firstView,
      open_document: () => ({ document: doc(21, 2, 12), page_count: 12, is_current: true }),
      annotations: () => [],
      export_annotated: () => "/home/db003/Downloads/Tờ trình 21 (ghi chú).pdf",
    });
    await openSecondItemsDocument();
    byTestId("annotate-toggle")!.click();
    flushSync();
    byTestId("annotation-more")!.click();
    flushSync();
    byTestId("export-printable")!.click();
    const saved = await shown("exported");
    expect(saved.textContent).toContain("Tờ trình 21 (ghi chú).pdf");
    expect(calls.find((call) => call.command === "export_annotated")?.args).toEqual({
      documentId: 21,
      flatten: true,
      revision: 1,
    });
  });

  it("shares all my annotations on the document at once, and lists another member's with their name", async () => {
    const annotation = (id: string, shared: boolean) => ({
      id,
      document_id: 21,
      revision: 1,
      page: 0,
      color: "#ffd400",
      body: { kind: "note", at: { x: 0.5, y: 0.5 }, text: `Ghi chú ${id}`, near: null },
      shared,
      deleted: false,
      changed_at: 1,
      device: "d",
      carried_from: null,
    });
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: () => firstView,
      open_document: () => ({ document: doc(21, 2, 12), page_count: 12, is_current: true }),
      annotations: () => [
        { annotation: annotation("a", false), author: 3, author_name: "", mine: true },
        { annotation: annotation("b", true), author: 3, author_name: "", mine: true },
        { annotation: annotation("c", true), author: 7, author_name: "Lê Văn Đức", mine: false },
      ],
      save_annotation: (args) => args.annotation,
    });
    await openSecondItemsDocument();
    byTestId("annotate-toggle")!.click();
    flushSync();
    (await shown("annotation-more")).click();
    (await shown("share-all")).click();
    await vi.waitFor(() => expect(calls.filter((call) => call.command === "save_annotation")).toHaveLength(1));
    const saved = calls.find((call) => call.command === "save_annotation")?.args.annotation as { id: string; shared: boolean };
    expect([saved.id, saved.shared]).toEqual(["a", true]);
    byTestId("annotation-list-toggle")!.click();
    flushSync();
    expect(byTestId("annotation-list")?.textContent).toContain("của Lê Văn Đức");
  });

  it("votes once and shows the live tally and the result", async () => {
    startApp();
    await logIn();
    allByTestId("agenda-item")[1].click();
    const open: Poll = { ...poll(5, 2), tally: { members: 34, present: 0, yes: 0, no: 0, abstain: 0, sealed: 0 } };
    await pushMirror({ ...firstView, seq: 11, state: meeting(firstView.state!.items, [open]), can_vote_in: [5] });

    const card = await shown("poll");
    expect(card.dataset.pollId).toBe("5");
    byTestId("vote-yes", card)!.click();
    await vi.waitFor(() => expect(byTestId("my-vote", card)?.textContent?.trim()).toBe("Bạn đã biểu quyết: Tán thành"));
    // The pressed button is gone; focus is on what says the ballot is recorded.
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("my-vote", card)));
    expect(calls.find((call) => call.command === "cast_ballot")?.args).toEqual({ pollId: 5, choice: "yes" });
    expect(byTestId("vote-yes", card)).toBeNull();

    const counted = { ...open, tally: { members: 34, present: 28, yes: 24, no: 2, abstain: 2, sealed: 0 } };
    await pushMirror({
      ...firstView,
      seq: 11,
      state: meeting(firstView.state!.items, [counted]),
      my_ballots: [{ poll_id: 5, choice: "yes", marks: null }],
    });
    const tally = byTestId("tally")!;
    expect([tally.dataset.yes, tally.dataset.no, tally.dataset.abstain]).toEqual(["24", "2", "2"]);
    expect(tally.textContent).toContain("Tán thành");
    expect(tally.textContent).toContain("24");

    const closed: Poll = { ...counted, state: "closed", outcome: "passed" };
    await pushMirror({
      ...firstView,
      seq: 12,
      state: meeting(firstView.state!.items, [closed]),
      my_ballots: [{ poll_id: 5, choice: "yes", marks: null }],
    });
    const outcome = byTestId("poll-outcome")!;
    expect(outcome.dataset.outcome).toBe("passed");
    expect(outcome.textContent?.trim()).toBe("Thông qua");
  });

  it("takes a councillor from the login form to a recorded ballot in at most three presses", async () => {
    const open: Poll = { ...poll(5, 2), tally: { members: 34, present: 0, yes: 0, no: 0, abstain: 0, sealed: 0 } };
    const withPoll = { ...firstView, state: meeting(firstView.state!.items, [open]), can_vote_in: [5] };
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: () => withPoll,
      cast_ballot: () => ({ kind: "ballot_recorded", poll_id: 5, choice: "yes" }),
    });
    let presses = 0;
    const press = (element: HTMLElement | null) => {
      if (!element) throw new Error("nothing to press");
      presses += 1;
      element.click();
      flushSync();
    };
    startApp();
    await shown("login-server");
    type("login-username", "db003");
    type("login-password", "secret");
    press(byTestId("login-submit"));
    await shown("meeting-title");
    // The open poll is on another item than the one shown first: its banner leads there.
    press((await shown("open-poll-banner")).querySelector("button"));
    press(await shown("vote-yes"));
    await vi.waitFor(() => expect(byTestId("my-vote")?.textContent).toContain("Bạn đã biểu quyết: Tán thành"));
    expect(presses).toBe(3);
    expect(calls.filter((call) => call.command === "cast_ballot")).toEqual([
      { command: "cast_ballot", args: { pollId: 5, choice: "yes" } },
    ]);
  });

  it("keeps the vote buttons away from a delegate who already voted", async () => {
    startApp();
    await logIn();
    allByTestId("agenda-item")[1].click();
    await pushMirror({
      ...firstView,
      seq: 11,
      state: meeting(firstView.state!.items, [poll(5, 2)]),
      my_ballots: [{ poll_id: 5, choice: "abstain", marks: null }],
    });
    expect(byTestId("my-vote")?.dataset.choice).toBe("abstain");
    expect(byTestId("vote-yes")).toBeNull();
    expect(byTestId("open-poll")).toBeNull();
    expect(byTestId("close-poll")).toBeNull();
  });
});

describe("result banner", () => {
  /** A delegate in the meeting whose poll 6 is in `state` when the meeting opens. */
  async function inMeetingWithPoll(state: "open" | "closed"): Promise<MirrorView> {
    const delegateView = mirrorView({ state: meeting([item(1, 0), withDocument], [poll(6, 2, state)]) });
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: delegateView.user, meetings: [summary] }),
      open_meeting: () => delegateView,
    });
    startApp();
    await logIn();
    return delegateView;
  }

  it("announces the result of a poll that closes while the meeting is open, until dismissed", async () => {
    const delegateView = await inMeetingWithPoll("open");
    expect(byTestId("result-banner")).toBeNull();
    await pushMirror({ ...delegateView, seq: 12, state: meeting([item(1, 0), withDocument], [poll(6, 2, "closed")]) });
    const banner = byTestId("result-banner")!;
    expect(banner.getAttribute("data-outcome")).toBe("passed");
    expect(banner.textContent).toContain("Kết quả biểu quyết «Biểu quyết 6»: Thông qua");
    expect(banner.textContent).toContain("Tán thành 20 · Không tán thành 3 · Không biểu quyết 2");
    byTestId("result-banner-close")!.click();
    flushSync();
    expect(byTestId("result-banner")).toBeNull();
  });

  it("does not announce polls that were already closed when the meeting opened", async () => {
    const delegateView = await inMeetingWithPoll("closed");
    await pushMirror({ ...delegateView, seq: 12 });
    expect(byTestId("result-banner")).toBeNull();
  });
});

describe("chair", () => {
  it("opens a poll with the item's title and ends it", async () => {
    const chairView = mirrorView({
      role: "chair",
      may: capabilities({ vote: true, manage_polls: true }),
      state: meeting([item(1, 0), withDocument]),
    });
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: chairView.user, meetings: [{ ...summary, role: "chair" }] }),
      open_meeting: () => chairView,
    });
    startApp();
    await logIn();
    allByTestId("agenda-item")[1].click();
    flushSync();
    // The meeting's default preset, its rule and legal source shown; the chair picks another.
    expect(byTestId("poll-preset-rule")!.textContent).toContain("Quá nửa tổng số đại biểu");
    expect(byTestId("poll-preset-rule")!.textContent).toContain("Căn cứ: Luật Tổ chức chính quyền địa phương 2025");
    const choice = byTestId("poll-preset") as HTMLSelectElement;
    choice.value = "dismissal";
    choice.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    expect(byTestId("poll-preset-rule")!.textContent).toContain("Ít nhất hai phần ba tổng số đại biểu");
    const duration = byTestId("poll-duration") as HTMLSelectElement;
    duration.value = "300";
    duration.dispatchEvent(new Event("change", { bubbles: true }));
    const secrecy = byTestId("poll-secrecy") as HTMLSelectElement;
    secrecy.value = "secret";
    secrecy.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    byTestId("open-poll")!.click();
    await vi.waitFor(() =>
      expect(calls.find((call) => call.command === "open_poll")?.args).toEqual({
        form: {
          itemId: 2,
          title: withDocument.title,
          preset: "dismissal",
          durationSeconds: 300,
          secrecy: "secret",
          quorumOverride: null,
          changeable: false,
          ballot: null,
        },
      }),
    );

    await pushMirror({ ...chairView, seq: 11, state: meeting(chairView.state!.items, [poll(6, 2)]), can_vote_in: [6] });
    expect(byTestId("open-poll")).toBeNull();
    expect(byTestId("vote-yes")).not.toBeNull();
    expect(byTestId("poll-rule")!.textContent).toContain("Thông qua nghị quyết:");
    expect(byTestId("poll-rule-source")!.textContent).toBe("Căn cứ: Luật Tổ chức chính quyền địa phương 2025 (chưa ghi điều, khoản)");
    byTestId("close-poll")!.click();
    await vi.waitFor(() =>
      expect(calls.find((call) => call.command === "close_poll")?.args).toEqual({ pollId: 6 }),
    );
  });
});

describe("session ended", () => {
  const loggedOut = (view: MirrorView, seq: number): MirrorView => ({ ...view, seq, connection: "logged_out" });
  const otherPerson = { id: 4, username: "db004", full_name: "Trần Thị Bốn", position: "Đại biểu" };

  beforeEach(() => {
    backend({
      app_defaults: () => ({ server_url: "http://s", username: "", reconfirm_after_minutes: 5 }),
      login: (args) =>
        args.username === "db004"
          ? { user: otherPerson, meetings: [summary, { ...summary, id: 8, title: "Kỳ họp thứ 13" }] }
          : { user: firstView.user, meetings: [summary] },
      open_meeting: () => firstView,
    });
  });

  /** Logs in to `serverUrl`, opens item 2, then the server ends the session. */
  async function sessionEndsOn(serverUrl: string) {
    startApp();
    await shown("login-server");
    type("login-server", serverUrl);
    await logIn();
    allByTestId("agenda-item")[1].click();
    flushSync();
    await pushMirror(loggedOut(firstView, 11));
  }

  async function reloginAs(username: string) {
    (await shown("relogin")).click();
    flushSync();
    await shown("login-password");
    type("login-username", username);
    type("login-password", "secret");
    byTestId("login-submit")!.click();
  }

  it("says the session ended and asks to log in again", async () => {
    startApp();
    await logIn();
    expect(byTestId("relogin-banner")).toBeNull();

    await pushMirror(loggedOut(firstView, 11));
    const status = byTestId("connection-status")!;
    expect(status.dataset.connection).toBe("logged_out");
    expect(status.textContent?.trim()).toBe("Phiên đăng nhập đã hết hạn");
    const banner = byTestId("relogin-banner")!;
    expect(banner.getAttribute("role")).toBe("alert");
    expect(banner.textContent).toContain(
      "Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại — những gì bạn đã làm vẫn được giữ và sẽ được gửi đi.",
    );
    expect(byTestId("relogin", banner)?.textContent?.trim()).toBe("Đăng nhập lại");

    byTestId("locale-switch")!.click();
    flushSync();
    expect(byTestId("connection-status")?.textContent?.trim()).toBe("Session ended");
    expect(byTestId("relogin")?.textContent?.trim()).toBe("Log in again");
  });

  it("opens the login form for the same person on the server last used, at the password", async () => {
    await sessionEndsOn("http://10.0.0.5:8080");
    byTestId("relogin")!.click();
    flushSync();

    const password = await shown("login-password");
    expect((byTestId("login-server") as HTMLInputElement).value).toBe("http://10.0.0.5:8080");
    expect((byTestId("login-username") as HTMLInputElement).value).toBe("db003");
    expect((password as HTMLInputElement).value).toBe("");
    expect(document.activeElement).toBe(password);
  });

  it("brings the same person straight back to the meeting, which keeps following", async () => {
    await sessionEndsOn("http://10.0.0.5:8080");
    await reloginAs("db003");

    const title = await shown("meeting-title");
    expect(calls.filter((call) => call.command === "login").at(-1)?.args).toEqual({
      serverUrl: "http://10.0.0.5:8080",
      username: "db003",
      password: "secret",
    });
    expect(calls.filter((call) => call.command === "open_meeting")).toHaveLength(1);
    expect(byTestId("meeting-choice")).toBeNull();
    expect(document.activeElement).toBe(title);
    expect(byTestId("item-title")?.dataset.itemId).toBe("2");

    await pushMirror({ ...firstView, seq: 12, connection: "online" });
    expect(byTestId("relogin-banner")).toBeNull();
    expect(byTestId("connection-status")?.dataset.connection).toBe("online");
  });

  it("sends a different person to the meeting list and a fresh meeting", async () => {
    await sessionEndsOn("http://s");
    await reloginAs("db004");

    await vi.waitFor(() => expect(allByTestId("meeting-choice")).toHaveLength(2));
    expect(byTestId("meeting-title")).toBeNull();

    allByTestId("meeting-choice")[0].click();
    await shown("meeting-title");
    expect(calls.filter((call) => call.command === "open_meeting")).toHaveLength(2);
    // Opened afresh at its first item, not where the other person left it.
    expect(byTestId("item-title")?.dataset.itemId).toBe("1");
  });

  it("goes back to the meeting without logging in", async () => {
    await sessionEndsOn("http://s");
    byTestId("relogin")!.click();
    flushSync();
    (await shown("relogin-back")).click();
    flushSync();

    await shown("meeting-title");
    expect(byTestId("relogin-banner")).not.toBeNull();
    expect(calls.filter((call) => call.command === "login")).toHaveLength(1);
  });

  it("after a reload, offers the launch server with the person of the open meeting", async () => {
    backend({
      app_defaults: () => ({ server_url: "http://launch:8080", username: "", reconfirm_after_minutes: 5 }),
      mirror: () => loggedOut(firstView, 11),
    });
    startApp();
    (await shown("relogin")).click();
    flushSync();

    await shown("login-password");
    expect((byTestId("login-server") as HTMLInputElement).value).toBe("http://launch:8080");
    expect((byTestId("login-username") as HTMLInputElement).value).toBe("db003");
  });
});

describe("laptop revoked", () => {
  const revoked: AppError = {
    code: "device_revoked",
    message_vi:
      "Máy tính này đã bị thu hồi quyền vào phòng họp; tài liệu của kỳ họp trên máy được xoá. Hãy liên hệ thư ký kỳ họp",
    message_en:
      "This computer's access to the meeting room was revoked; the meetings' documents on it are removed. Contact the meeting's secretariat",
    detail: "",
  };

  it("takes the app from the meeting to the login form, which says why", async () => {
    backend({
      app_defaults: () => ({ server_url: "http://10.0.0.5:8080", username: "", reconfirm_after_minutes: 5 }),
      login: () => ({ user: firstView.user, meetings: [summary] }),
      open_meeting: () => firstView,
    });
    startApp();
    await logIn();

    await emit("device-revoked", revoked);
    flushSync();
    const error = await shown("login-error");
    expect(error.dataset.errorCode).toBe("device_revoked");
    expect(error.textContent).toContain(revoked.message_vi);
    expect(byTestId("meeting-title")).toBeNull();
    expect(byTestId("login-submit")).not.toBeNull();
    expect((byTestId("login-server") as HTMLInputElement).value).toBe("http://10.0.0.5:8080");

    // The meeting is no longer followed: a mirror that was still on its way brings nothing back.
    await pushMirror({ ...firstView, seq: 11 });
    expect(byTestId("meeting-title")).toBeNull();
    expect(byTestId("login-error")?.textContent).toContain(revoked.message_vi);

    byTestId("locale-switch")!.click();
    flushSync();
    expect(byTestId("login-error")?.textContent).toContain(revoked.message_en);
  });
});

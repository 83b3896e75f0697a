// @vitest-environment happy-dom
// The login screen against an `https://` server trusted by its pinned certificate fingerprint:
// the first time it shows the server's fingerprint to compare and pins exactly it once told it
// matches; cancelled, nothing is pinned and nothing logged in. A server showing another
// certificate brings an unmistakable warning with both fingerprints, which sends nothing more when
// closed; only the secretariat's changed certificate, compared and confirmed, gets pinned. The
// dialogs take the keyboard in, keep it there and cancel on Escape; what was typed stays.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppError, LoginResult } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import { mirrorView } from "../testing/fixtures";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import LoginScreen from "./LoginScreen.svelte";

const SERVER = "https://10.0.0.5:8443";
const REAL = "AB12 CD34 EF56 7890 1122 3344 5566 7788 99AA BBCC DDEE FF00 0123 4567 89AB CDEF";
const OTHER = "0000 1111 2222 3333 4444 5555 6666 7777 8888 9999 AAAA BBBB CCCC DDDD EEEE FFFF";
const loggedIn: LoginResult = { user: mirrorView().user, meetings: [], may_create_meetings: false };

const notPinned: AppError = {
  code: "certificate_not_pinned",
  message_vi: "Máy tính này chưa biết máy chủ này. Hãy so dấu vân tay chứng chỉ với mã thư ký kỳ họp cung cấp trước khi kết nối",
  message_en: "This computer does not know this server yet. Compare the certificate's fingerprint with the one the meeting's secretariat gives before connecting",
  detail: "",
};
const changed: AppError = {
  code: "certificate_changed",
  message_vi:
    "CẢNH BÁO: chứng chỉ của máy chủ đã thay đổi — có thể có kẻ mạo danh máy chủ. Thông tin đăng nhập chưa được gửi đi. Hãy báo ngay cho thư ký kỳ họp",
  message_en:
    "WARNING: the server's certificate has changed — someone may be impersonating the server. Nothing was sent. Tell the meeting's secretariat at once",
  detail: "",
};
const unreachable: AppError = { code: "server_unreachable", message_vi: "Không kết nối được máy chủ", message_en: "Server unreachable", detail: "" };

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];
let logins: LoginResult[] = [];

afterEach(() => {
  cleanUp(component);
  component = null;
  setLocale("vi");
});

/**
 * A server at {@link SERVER} presenting `presented` (or refusing the probe when it is an error),
 * with `pinned` pinned on this laptop: the login succeeds only when the pin is the certificate.
 */
function server(presented: string | AppError, pinned: string | null) {
  let pin = pinned;
  calls = recordCalls((command, args) => {
    const given = args as Record<string, string>;
    switch (command) {
      case "login":
        if (pin === null) throw notPinned;
        if (pin !== presented) throw changed;
        return loggedIn;
      case "probe_server":
        if (typeof presented !== "string") throw presented;
        return presented;
      case "pin_server":
        pin = given.fingerprint;
        return null;
      case "pinned_fingerprint":
        return pin;
      default:
        return null;
    }
  });
}

/** The login screen with the server and username filled in, the password typed and sent. */
function logIn() {
  logins = [];
  component = mount(LoginScreen, {
    target: document.body,
    props: {
      defaults: { server_url: SERVER, username: "db003", reconfirm_after_minutes: 5 },
      onLoggedIn: (result: LoginResult) => logins.push(result),
    },
  });
  flushSync();
  const password = byTestId("login-password") as HTMLInputElement;
  password.value = "mật khẩu";
  password.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
  byTestId("login-submit")!.click();
}

async function shown(id: string): Promise<HTMLElement> {
  return vi.waitFor(() => {
    const element = byTestId(id);
    if (!element) throw new Error(`${id} is not shown`);
    return element;
  });
}

function press(key: string, shiftKey = false) {
  const event = new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true });
  (document.activeElement ?? document.body).dispatchEvent(event);
  flushSync();
  return event;
}

const sent = () => calls.map((call) => call.command);
const pins = () => calls.filter((call) => call.command === "pin_server").map((call) => call.args);
const loginArgs = { serverUrl: SERVER, username: "db003", password: "mật khẩu" };

/** The dialog's accessible name and description, as a screen reader is given them. */
function named(dialog: HTMLElement, attribute: "aria-labelledby" | "aria-describedby"): string {
  return dialog
    .getAttribute(attribute)!
    .split(" ")
    .map((id) => document.getElementById(id)!.textContent!.trim())
    .join(" ");
}

/** The groups of each line of a shown fingerprint. */
function lines(fingerprint: HTMLElement): string[][] {
  return [...fingerprint.querySelectorAll(".line")].map((line) => [...line.querySelectorAll(".group")].map((group) => group.textContent!));
}

describe("the first connection to a server", () => {
  it("shows the probed fingerprint in a dialog and, once confirmed, pins exactly it and logs in", async () => {
    server(REAL, null);
    logIn();
    const dialog = await shown("pin-dialog");
    expect(dialog.getAttribute("role")).toBe("dialog");
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(named(dialog, "aria-labelledby")).toBe("Xác nhận máy chủ");
    expect(named(dialog, "aria-describedby")).toContain(`Máy tính này kết nối tới máy chủ ${SERVER} lần đầu tiên.`);
    expect(named(dialog, "aria-describedby")).toContain("Chỉ kết nối khi mọi nhóm đều khớp.");
    const fingerprint = byTestId("pin-fingerprint")!;
    expect(fingerprint.textContent).toBe(REAL);
    expect(fingerprint.dataset.fingerprint).toBe(REAL);
    expect(lines(fingerprint)).toEqual([
      ["AB12", "CD34", "EF56", "7890"],
      ["1122", "3344", "5566", "7788"],
      ["99AA", "BBCC", "DDEE", "FF00"],
      ["0123", "4567", "89AB", "CDEF"],
    ]);
    expect(byTestId("pin-confirm")!.textContent!.trim()).toBe("Khớp — tin máy chủ này");
    expect(byTestId("pin-cancel")!.textContent!.trim()).toBe("Không khớp — hủy");
    // The safe answer has the keyboard; nothing is pinned before the person answers.
    expect(document.activeElement).toBe(byTestId("pin-cancel"));
    expect(sent()).toEqual(["login", "probe_server"]);

    byTestId("pin-confirm")!.click();
    await vi.waitFor(() => expect(logins).toEqual([loggedIn]));
    expect(calls).toEqual([
      { command: "login", args: loginArgs },
      { command: "probe_server", args: { serverUrl: SERVER } },
      { command: "pin_server", args: { serverUrl: SERVER, fingerprint: REAL } },
      { command: "login", args: loginArgs },
    ]);
    expect(byTestId("pin-dialog")).toBeNull();
  });

  it("pins nothing and logs in nothing when cancelled, says so and keeps what was typed", async () => {
    server(REAL, null);
    logIn();
    (await shown("pin-cancel")).click();
    const error = await shown("login-error");
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.dataset.errorCode).toBe("fingerprint_not_confirmed");
    expect(error.textContent!.trim()).toBe("Chưa kết nối: dấu vân tay chưa được xác nhận.");
    expect(byTestId("pin-dialog")).toBeNull();
    expect(sent()).toEqual(["login", "probe_server"]);
    expect(logins).toEqual([]);
    expect((byTestId("login-password") as HTMLInputElement).value).toBe("mật khẩu");
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("login-submit")));

    // Sent again, the dialog asks again; confirmed this time, the same password logs in.
    byTestId("login-submit")!.click();
    (await shown("pin-confirm")).click();
    await vi.waitFor(() => expect(logins).toEqual([loggedIn]));
    expect(pins()).toEqual([{ serverUrl: SERVER, fingerprint: REAL }]);
  });

  it("takes the keyboard into the dialog, keeps it there and cancels on Escape", async () => {
    server(REAL, null);
    logIn();
    await shown("pin-dialog");
    const confirm = byTestId("pin-confirm")!;
    const cancel = byTestId("pin-cancel")!;
    expect(document.activeElement).toBe(cancel);
    expect(press("Tab").defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(confirm);
    expect(press("Tab", true).defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(cancel);
    // Focus that somehow left the dialog comes back into it.
    (byTestId("login-server") as HTMLInputElement).focus();
    press("Tab");
    expect(document.activeElement).toBe(confirm);

    press("Escape");
    await vi.waitFor(() => expect(byTestId("login-error")?.dataset.errorCode).toBe("fingerprint_not_confirmed"));
    expect(byTestId("pin-dialog")).toBeNull();
    expect(pins()).toEqual([]);
    expect(sent()).toEqual(["login", "probe_server"]);
  });

  it("says why when the server cannot even be probed, opening no dialog", async () => {
    server(unreachable, null);
    logIn();
    const error = await shown("login-error");
    expect(error.dataset.errorCode).toBe("server_unreachable");
    expect(error.textContent).toContain("Không kết nối được máy chủ");
    expect(byTestId("pin-dialog")).toBeNull();
    expect(pins()).toEqual([]);
  });

  it("speaks English when the app does", async () => {
    setLocale("en");
    server(REAL, null);
    logIn();
    const dialog = await shown("pin-dialog");
    expect(named(dialog, "aria-labelledby")).toBe("Confirm the server");
    expect(named(dialog, "aria-describedby")).toContain(`This computer is connecting to the server ${SERVER} for the first time.`);
    expect(byTestId("pin-confirm")!.textContent!.trim()).toBe("It matches — trust this server");
    byTestId("pin-cancel")!.click();
    const error = await shown("login-error");
    expect(error.textContent!.trim()).toBe("Not connected: the fingerprint was not confirmed.");
  });
});

describe("a server showing another certificate than the pinned one", () => {
  it("warns unmistakably with both fingerprints and, closed, sends nothing more", async () => {
    server(OTHER, REAL);
    logIn();
    const warning = await shown("certificate-warning");
    expect(warning.getAttribute("role")).toBe("alertdialog");
    expect(warning.getAttribute("aria-modal")).toBe("true");
    expect(named(warning, "aria-labelledby")).toContain("CẢNH BÁO: chứng chỉ máy chủ đã thay đổi");
    expect(warning.querySelector("h2")!.textContent).toContain("⚠");
    expect(named(warning, "aria-describedby")).toContain(changed.message_vi);
    expect(named(warning, "aria-describedby")).toContain("Tên đăng nhập và mật khẩu của bạn chưa được gửi tới máy chủ này.");
    expect(named(warning, "aria-describedby")).toContain("Hãy báo ngay cho thư ký kỳ họp và đừng kết nối.");
    const pinned = byTestId("certificate-pinned")!;
    const presented = byTestId("certificate-presented")!;
    expect([pinned.dataset.fingerprint, pinned.textContent]).toEqual([REAL, REAL]);
    expect([presented.dataset.fingerprint, presented.textContent]).toEqual([OTHER, OTHER]);
    expect(pinned.closest("div:not(.fingerprint)")!.querySelector("dt")!.textContent).toBe("Dấu vân tay đã lưu trên máy tính này");
    expect(presented.closest("div:not(.fingerprint)")!.querySelector("dt")!.textContent).toBe("Dấu vân tay máy chủ đang đưa ra");
    // One under the other: the pinned one first.
    expect(pinned.compareDocumentPosition(presented) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(byTestId("certificate-close")!.textContent!.trim()).toBe("Đóng");
    expect(byTestId("certificate-repin")!.textContent!.trim()).toBe("Thư ký đã đổi chứng chỉ — xác nhận chứng chỉ mới");
    expect(document.activeElement).toBe(byTestId("certificate-close"));
    expect(press("Tab", true).defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(byTestId("certificate-repin"));
    expect(press("Tab").defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(byTestId("certificate-close"));

    byTestId("certificate-close")!.click();
    const error = await shown("login-error");
    expect(error.dataset.errorCode).toBe("certificate_changed");
    expect(byTestId("certificate-warning")).toBeNull();
    expect(sent()).toEqual(["login", "pinned_fingerprint", "probe_server"]);
    expect(logins).toEqual([]);
    expect((byTestId("login-password") as HTMLInputElement).value).toBe("mật khẩu");
  });

  it("closes on Escape as on Đóng", async () => {
    server(OTHER, REAL);
    logIn();
    await shown("certificate-warning");
    press("Escape");
    await vi.waitFor(() => expect(byTestId("login-error")?.dataset.errorCode).toBe("certificate_changed"));
    expect(byTestId("certificate-warning")).toBeNull();
    expect(byTestId("pin-dialog")).toBeNull();
    expect(sent()).toEqual(["login", "pinned_fingerprint", "probe_server"]);
  });

  it("pins the presented fingerprint only after the person compared and confirmed it, then logs in", async () => {
    server(OTHER, REAL);
    logIn();
    (await shown("certificate-repin")).click();
    const dialog = await shown("pin-dialog");
    expect(byTestId("certificate-warning")).toBeNull();
    expect(dialog.dataset.reason).toBe("changed");
    expect(named(dialog, "aria-describedby")).toContain(`Thư ký kỳ họp đã đổi chứng chỉ của máy chủ ${SERVER}.`);
    expect(byTestId("pin-fingerprint")!.dataset.fingerprint).toBe(OTHER);
    expect(document.activeElement).toBe(byTestId("pin-cancel"));
    expect(pins()).toEqual([]);

    byTestId("pin-confirm")!.click();
    await vi.waitFor(() => expect(logins).toEqual([loggedIn]));
    expect(calls).toEqual([
      { command: "login", args: loginArgs },
      { command: "pinned_fingerprint", args: { serverUrl: SERVER } },
      { command: "probe_server", args: { serverUrl: SERVER } },
      { command: "pin_server", args: { serverUrl: SERVER, fingerprint: OTHER } },
      { command: "login", args: loginArgs },
    ]);
  });

  it("pins nothing when the new fingerprint is not confirmed", async () => {
    server(OTHER, REAL);
    logIn();
    (await shown("certificate-repin")).click();
    await shown("pin-dialog");
    press("Escape");
    await vi.waitFor(() => expect(byTestId("login-error")?.dataset.errorCode).toBe("fingerprint_not_confirmed"));
    expect(pins()).toEqual([]);
    expect(sent()).toEqual(["login", "pinned_fingerprint", "probe_server"]);
  });

  it("warns without the presented fingerprint when the server cannot be probed, and offers no re-pin", async () => {
    // The login itself meets another certificate; the probe after it gets no answer.
    server(unreachable, REAL);
    logIn();
    await shown("certificate-warning");
    expect(byTestId("certificate-pinned")!.dataset.fingerprint).toBe(REAL);
    expect(byTestId("certificate-presented")).toBeNull();
    expect(byTestId("certificate-presented-unknown")!.textContent!.trim()).toBe("Không đọc được");
    expect(byTestId("certificate-repin")).toBeNull();
    expect(document.activeElement).toBe(byTestId("certificate-close"));
    byTestId("certificate-close")!.click();
    await shown("login-error");
    expect(sent()).toEqual(["login", "pinned_fingerprint", "probe_server"]);
  });
});

// @vitest-environment happy-dom
// The unlock screen, shown at start when what the laptop keeps is encrypted: it names whose it is,
// waits at the password, asks for nothing while the password is empty, shows a wrong password in
// the person's language and lets them type it again, and otherwise hands over to the app, or to
// the login form for someone else.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppError, VaultOwner } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import UnlockScreen from "./UnlockScreen.svelte";

const owner: VaultOwner = { server_url: "https://10.0.0.5:8443", user_id: 3, username: "db003", full_name: "Nguyễn Văn An" };
const wrongPassword: AppError = {
  code: "wrong_password",
  message_vi: "Mật khẩu không đúng",
  message_en: "The password is not right",
  detail: "",
};

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];
let unlocked = 0;
let otherAccount = 0;

afterEach(() => {
  cleanUp(component);
  component = null;
  setLocale("vi");
});

/** The screen for {@link owner}, the laptop opening only for `rightPassword`. */
function showScreen(rightPassword = "mật khẩu") {
  unlocked = 0;
  otherAccount = 0;
  calls = recordCalls((command, args) => {
    if (command === "unlock" && (args as { password: string }).password !== rightPassword) throw wrongPassword;
    return null;
  });
  component = mount(UnlockScreen, {
    target: document.body,
    props: { owner, onUnlocked: () => unlocked++, onOtherAccount: () => otherAccount++ },
  });
  flushSync();
}

function typePassword(value: string) {
  const field = byTestId("unlock-password") as HTMLInputElement;
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

async function shown(id: string): Promise<HTMLElement> {
  return vi.waitFor(() => {
    const element = byTestId(id);
    if (!element) throw new Error(`${id} is not shown`);
    return element;
  });
}

describe("the unlock screen", () => {
  it("names whose documents the laptop keeps, on which server, and waits at the password", () => {
    showScreen();
    const screen = byTestId("unlock-screen")!;
    expect(screen.querySelector("h2")!.textContent).toBe("Mở khoá tài liệu trên máy");
    expect(screen.textContent).toContain(
      "Tài liệu và ghi chú của Nguyễn Văn An được mã hoá trên máy này. Nhập mật khẩu của bạn để đọc, kể cả khi không có mạng.",
    );
    expect(screen.textContent).toContain("Máy chủ: https://10.0.0.5:8443");
    expect(document.activeElement).toBe(byTestId("unlock-password"));
    expect((byTestId("unlock-password") as HTMLInputElement).type).toBe("password");
    expect(byTestId("unlock-submit")!.textContent!.trim()).toBe("Mở khoá");
    expect(byTestId("unlock-other-account")!.textContent!.trim()).toBe("Đăng nhập tài khoản khác");
    expect(byTestId("unlock-error")).toBeNull();
    expect(calls).toEqual([]);
  });

  it("asks for the password without calling anything while it is empty", () => {
    showScreen();
    byTestId("unlock-submit")!.click();
    flushSync();
    const error = byTestId("unlock-error")!;
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.textContent!.trim()).toBe("Vui lòng nhập mật khẩu");
    expect(document.activeElement).toBe(byTestId("unlock-password"));
    expect(calls).toEqual([]);
    expect(unlocked).toBe(0);
  });

  it("shows a wrong password in the person's language, empties the field and waits there again", async () => {
    showScreen();
    typePassword("sai");
    byTestId("unlock-submit")!.click();
    const error = await shown("unlock-error");
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.dataset.errorCode).toBe("wrong_password");
    expect(error.textContent!.trim()).toBe("Mật khẩu không đúng");
    const field = byTestId("unlock-password") as HTMLInputElement;
    expect(field.value).toBe("");
    await vi.waitFor(() => expect(document.activeElement).toBe(field));
    expect((byTestId("unlock-submit") as HTMLButtonElement).disabled).toBe(false);
    expect(calls).toEqual([{ command: "unlock", args: { password: "sai" } }]);
    expect(unlocked).toBe(0);

    setLocale("en");
    flushSync();
    expect(byTestId("unlock-error")!.textContent!.trim()).toBe("The password is not right");
    expect(byTestId("unlock-submit")!.textContent!.trim()).toBe("Unlock");
  });

  it("unlocks with the right password and hands over to the app", async () => {
    showScreen();
    typePassword("mật khẩu");
    byTestId("unlock-submit")!.click();
    await vi.waitFor(() => expect(unlocked).toBe(1));
    expect(calls).toEqual([{ command: "unlock", args: { password: "mật khẩu" } }]);
    expect(byTestId("unlock-error")).toBeNull();
    // Busy until the app replaces the screen: a second press sends nothing more.
    expect(byTestId("unlock-submit")!.textContent!.trim()).toBe("Đang mở khoá…");
    expect((byTestId("unlock-submit") as HTMLButtonElement).disabled).toBe(true);
  });

  it("lets someone else log in instead, unlocking nothing", () => {
    showScreen();
    byTestId("unlock-other-account")!.click();
    expect(otherAccount).toBe(1);
    expect(unlocked).toBe(0);
    expect(calls).toEqual([]);
  });
});

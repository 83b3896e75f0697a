// @vitest-environment happy-dom
// The password dialog before a secret ballot: it takes focus to the password, keeps it inside,
// cancels on Escape and gives focus back to what opened it; a wrong password is said in it and
// typed again from empty; too many tries are said too; only an accepted one lets the ballot go.

import { flushSync } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import { cancelReconfirmation, ensureConfirmed } from "./ensureConfirmed";
import { confirmed, needsReconfirmation, setReconfirmAfter } from "./reconfirm.svelte";

let calls: Calls = [];
let opener: HTMLButtonElement;

const refusal = (code: string, message_vi: string) => ({ code, message_vi, message_en: "", detail: "" });

/** Answers `confirm_password` with `answers` in turn. */
function passwords(...answers: (() => unknown)[]) {
  calls = recordCalls((command) => (command === "confirm_password" ? answers.shift()!() : null));
}

function open(): Promise<boolean> {
  setLocale("vi");
  opener = document.createElement("button");
  opener.textContent = "Tán thành";
  document.body.append(opener);
  opener.focus();
  const answer = ensureConfirmed();
  flushSync();
  return answer;
}

function type(password: string) {
  const field = byTestId("reconfirm-password") as HTMLInputElement;
  field.value = password;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

function press(key: string, shiftKey = false) {
  const event = new KeyboardEvent("keydown", { key, shiftKey, bubbles: true, cancelable: true });
  (document.activeElement ?? document.body).dispatchEvent(event);
  flushSync();
  return event;
}

const checked = () => calls.filter((call) => call.command === "confirm_password");

beforeEach(() => {
  // 0: the dialog is asked for every time, whatever the clock says.
  setReconfirmAfter(0);
});

afterEach(() => {
  cancelReconfirmation();
  cleanUp(null);
  setReconfirmAfter(5);
  confirmed();
});

describe("the password dialog", () => {
  it("is a labelled modal dialog that starts at the password", async () => {
    passwords();
    void open();
    const dialog = byTestId("reconfirm-dialog")!;
    expect(dialog.getAttribute("role")).toBe("dialog");
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    const heading = document.getElementById(dialog.getAttribute("aria-labelledby")!)!;
    expect(heading.textContent).toBe("Xác nhận mật khẩu để bỏ phiếu kín");
    expect(document.getElementById(dialog.getAttribute("aria-describedby")!)!.textContent).toContain(
      "Ứng dụng đã không được dùng một lúc. Để chắc chắn chính bạn bỏ phiếu, hãy nhập lại mật khẩu.",
    );
    expect(document.activeElement).toBe(byTestId("reconfirm-password"));
    expect((byTestId("reconfirm-password") as HTMLInputElement).type).toBe("password");
    expect(byTestId("reconfirm-password")!.closest("label")!.textContent).toContain("Mật khẩu");
    expect(byTestId("reconfirm-submit")!.textContent).toContain("Xác nhận và bỏ phiếu");
    expect(byTestId("reconfirm-cancel")!.textContent).toContain("Hủy");
  });

  it("keeps Tab and Shift+Tab inside, cancels on Escape and gives focus back to what opened it", async () => {
    passwords();
    const answer = open();
    const cancel = byTestId("reconfirm-cancel")!;
    const password = byTestId("reconfirm-password")!;
    cancel.focus();
    expect(press("Tab").defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(password);
    expect(press("Tab", true).defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(cancel);
    // Focus that somehow left the dialog comes back into it.
    opener.focus();
    press("Tab");
    expect(document.activeElement).toBe(password);

    press("Escape");
    await expect(answer).resolves.toBe(false);
    expect(byTestId("reconfirm-dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(checked()).toEqual([]);
  });

  it("cancels with Hủy and asks nothing of the server", async () => {
    passwords();
    const answer = open();
    type("mật khẩu chưa gửi");
    byTestId("reconfirm-cancel")!.click();
    await expect(answer).resolves.toBe(false);
    expect(byTestId("reconfirm-dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(checked()).toEqual([]);
  });

  it("says a wrong password in the dialog, empties the field and starts there again; a right one lets the ballot go", async () => {
    setReconfirmAfter(5);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 6 * 60_000);
      expect(needsReconfirmation()).toBe(true);
      passwords(
        () => Promise.reject(refusal("wrong_credentials", "Sai tên đăng nhập hoặc mật khẩu")),
        () => null,
      );
      const answer = open();
      type("sai");
      byTestId("reconfirm-submit")!.click();
      const error = await vi.waitFor(() => {
        const shown = byTestId("reconfirm-error");
        if (!shown) throw new Error("no error yet");
        return shown;
      });
      expect(error.getAttribute("role")).toBe("alert");
      expect(error.textContent).toContain("Mật khẩu không đúng");
      expect((byTestId("reconfirm-password") as HTMLInputElement).value).toBe("");
      expect(document.activeElement).toBe(byTestId("reconfirm-password"));
      expect(byTestId("reconfirm-dialog")).not.toBeNull();
      expect(needsReconfirmation()).toBe(true);

      type("đúng");
      byTestId("reconfirm-submit")!.click();
      await expect(answer).resolves.toBe(true);
      expect(checked().map((call) => call.args)).toEqual([{ password: "sai" }, { password: "đúng" }]);
      expect(byTestId("reconfirm-dialog")).toBeNull();
      // The password given is as good as the person's hand on the laptop: no ask for a while.
      expect(needsReconfirmation()).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("says when there were too many tries", async () => {
    passwords(() => Promise.reject(refusal("rate_limited", "Quá nhiều lần thử, vui lòng đợi")));
    void open();
    type("sai");
    byTestId("reconfirm-submit")!.click();
    await vi.waitFor(() => expect(byTestId("reconfirm-error")?.dataset.errorCode).toBe("rate_limited"));
    expect(byTestId("reconfirm-error")!.textContent).toContain("Quá nhiều lần thử, vui lòng đợi");
  });

  it("sends no empty password", () => {
    passwords();
    void open();
    byTestId("reconfirm-submit")!.click();
    flushSync();
    expect(checked()).toEqual([]);
    expect(byTestId("reconfirm-dialog")).not.toBeNull();
  });

  it("shows the password when asked", () => {
    passwords();
    void open();
    const toggle = byTestId("reconfirm-password")!.parentElement!.querySelector("button")!;
    toggle.click();
    flushSync();
    expect((byTestId("reconfirm-password") as HTMLInputElement).type).toBe("text");
  });

  it("opens one dialog however many ballots ask at once", async () => {
    passwords();
    const first = open();
    const second = ensureConfirmed();
    flushSync();
    expect(document.querySelectorAll('[data-testid="reconfirm-dialog"]')).toHaveLength(1);
    byTestId("reconfirm-cancel")!.click();
    await expect(first).resolves.toBe(false);
    await expect(second).resolves.toBe(false);
  });
});

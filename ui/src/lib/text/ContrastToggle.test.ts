// @vitest-environment happy-dom
// "Tương phản cao" turns the high-contrast palette on and off through `data-contrast` on <html>,
// remembers it, puts it back at the next start, and tells a screen reader whether it is on.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import LoginScreen from "../login/LoginScreen.svelte";
import MeetingHeader from "../meeting/MeetingHeader.svelte";
import { mirrorView } from "../testing/fixtures";
import { byTestId, cleanUp } from "../testing/tauri";
import ContrastToggle from "./ContrastToggle.svelte";
import { contrast, parseContrast, setContrast } from "./contrast.svelte";

const STORAGE_KEY = "phonghop.contrast";

let component: ReturnType<typeof mount> | null = null;

afterEach(() => {
  cleanUp(component);
  component = null;
  setContrast("normal");
  setLocale("vi");
  localStorage.removeItem(STORAGE_KEY);
});

function toggle(): HTMLButtonElement {
  return byTestId("contrast-toggle") as HTMLButtonElement;
}

function press() {
  toggle().click();
  flushSync();
}

/** Its visible text, without the decorative mark. */
function label(): string {
  return toggle().textContent!.replace(/[◐✓]/g, "").replace(/\s+/g, " ").trim();
}

describe("high contrast", () => {
  it("sets and clears data-contrast on <html>, remembers it, and says so with aria-pressed", () => {
    setLocale("vi");
    setContrast("normal");
    component = mount(ContrastToggle, { target: document.body });
    flushSync();
    const root = document.documentElement;
    expect(root.dataset.contrast).toBeUndefined();
    expect(toggle().getAttribute("aria-pressed")).toBe("false");
    expect(toggle().type).toBe("button");

    press();
    expect(root.getAttribute("data-contrast")).toBe("high");
    expect(toggle().getAttribute("aria-pressed")).toBe("true");
    expect(contrast()).toBe("high");
    expect(localStorage.getItem(STORAGE_KEY)).toBe("high");
    // The name stays the same whether it is on or off; only aria-pressed (and the tick) changes.
    expect(label()).toBe("Tương phản cao");

    press();
    expect(root.hasAttribute("data-contrast")).toBe(false);
    expect(toggle().getAttribute("aria-pressed")).toBe("false");
    expect(contrast()).toBe("normal");
    expect(localStorage.getItem(STORAGE_KEY)).toBe("normal");
  });

  it("shows its label in Vietnamese and in English", () => {
    setLocale("vi");
    component = mount(ContrastToggle, { target: document.body });
    flushSync();
    expect(label()).toBe("Tương phản cao");
    setLocale("en");
    flushSync();
    expect(label()).toBe("High contrast");
  });

  it("is in the meeting header, next to the text size", () => {
    setLocale("vi");
    component = mount(MeetingHeader, { target: document.body, props: { view: mirrorView(), onLogout: () => {} } });
    flushSync();
    const header = document.querySelector("header")!;
    expect(header.contains(toggle())).toBe(true);
    expect(byTestId("text-size")!.nextElementSibling).toBe(toggle());
  });

  it("is on the login screen too, with the text size, so a councillor can log in with them", () => {
    setLocale("vi");
    component = mount(LoginScreen, {
      target: document.body,
      props: { defaults: { server_url: "", username: "", reconfirm_after_minutes: 5 }, onLoggedIn: () => {} },
    });
    flushSync();
    expect(byTestId("text-size")!.nextElementSibling).toBe(toggle());
    press();
    expect(document.documentElement.dataset.contrast).toBe("high");
    expect(toggle().getAttribute("aria-pressed")).toBe("true");
  });

  it("is put back at the next start, before anything is drawn", async () => {
    delete document.documentElement.dataset.contrast;
    localStorage.setItem(STORAGE_KEY, "high");
    vi.resetModules();
    const fresh = await import("./contrast.svelte");
    expect(document.documentElement.dataset.contrast).toBe("high");
    expect(fresh.highContrast()).toBe(true);

    localStorage.setItem(STORAGE_KEY, "normal");
    vi.resetModules();
    const plain = await import("./contrast.svelte");
    expect(document.documentElement.hasAttribute("data-contrast")).toBe(false);
    expect(plain.contrast()).toBe("normal");
  });

  it.each([
    ["high", "high"],
    ["normal", "normal"],
    [null, "normal"],
    ["", "normal"],
    ["HIGH", "normal"],
    ["dark", "normal"],
  ] as const)("stored %s is read as %s", (stored, expected) => {
    expect(parseContrast(stored)).toBe(expected);
  });
});

// @vitest-environment happy-dom
// A− / A / A+ scale every text from 100 % to 200 % and remember it; from 150 % the header stops
// staying on top.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import { byTestId, cleanUp } from "../testing/tauri";
import TextSizeSwitch from "./TextSizeSwitch.svelte";
import { setTextScale, textScale } from "./textSize.svelte";

let component: ReturnType<typeof mount> | null = null;

afterEach(() => {
  cleanUp(component);
  component = null;
  setTextScale(1);
});

function press(id: string) {
  byTestId(id)!.click();
  flushSync();
}

describe("text size", () => {
  it("grows every text in steps up to 200 %, remembers it, and comes back with A", () => {
    setLocale("vi");
    setTextScale(1);
    component = mount(TextSizeSwitch, { target: document.body });
    flushSync();
    const root = document.documentElement;
    expect((byTestId("text-smaller") as HTMLButtonElement).disabled).toBe(true);
    for (const expected of ["25px", "30px", "35px", "40px"]) {
      press("text-bigger");
      expect(root.style.fontSize).toBe(expected);
    }
    expect(textScale()).toBe(2);
    expect(byTestId("text-size")!.dataset.percent).toBe("200");
    expect((byTestId("text-bigger") as HTMLButtonElement).disabled).toBe(true);
    expect(root.dataset.largeText).toBe("");
    expect(localStorage.getItem("phonghop.textSize")).toBe("2");
    press("text-smaller");
    press("text-smaller");
    expect(root.style.fontSize).toBe("30px");
    expect(root.dataset.largeText).toBe("");
    press("text-smaller");
    expect(root.dataset.largeText).toBeUndefined();
    press("text-reset");
    expect(root.style.fontSize).toBe("20px");
    // Each button's name starts with what it shows.
    expect(byTestId("text-bigger")!.textContent!.replace(/\s+/g, " ").trim()).toBe("A+ Chữ to hơn");
  });
});

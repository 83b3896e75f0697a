// @vitest-environment happy-dom
// A dialog keeps the keyboard inside: Tab from its last control goes to its first and back.

import { afterEach, describe, expect, it } from "vitest";
import { keepFocusInside } from "./focus";

afterEach(() => {
  document.body.innerHTML = "";
});

describe("focus inside a dialog", () => {
  it("wraps Tab and Shift+Tab, brings back focus that left, and leaves moves inside to the browser", () => {
    document.body.innerHTML = `
      <button id="before">before</button>
      <div id="dialog"><button id="first">1</button><button disabled>off</button><input id="middle" /><button id="last">3</button></div>`;
    const dialog = document.getElementById("dialog")!;
    const focused = () => document.activeElement?.id;

    document.getElementById("last")!.focus();
    expect(keepFocusInside(dialog, false)).toBe(true);
    expect(focused()).toBe("first");

    expect(keepFocusInside(dialog, true)).toBe(true);
    expect(focused()).toBe("last");

    document.getElementById("middle")!.focus();
    expect(keepFocusInside(dialog, false)).toBe(false);
    expect(focused()).toBe("middle");

    document.getElementById("before")!.focus();
    expect(keepFocusInside(dialog, false)).toBe(true);
    expect(focused()).toBe("first");
  });
});

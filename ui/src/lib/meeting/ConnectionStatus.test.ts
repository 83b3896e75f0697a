// @vitest-environment happy-dom
// The connection in words: a certificate other than the pinned one is a warning read out at once
// (an alert), in the person's language, and never looks like a plain "offline".

import { mount } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { Connection } from "../backend";
import { setLocale } from "../i18n/locale.svelte";
import { byTestId, cleanUp } from "../testing/tauri";
import ConnectionStatus from "./ConnectionStatus.svelte";

let component: ReturnType<typeof mount> | null = null;

afterEach(() => {
  cleanUp(component);
  component = null;
  setLocale("vi");
});

function show(connection: Connection): HTMLElement {
  component = mount(ConnectionStatus, { target: document.body, props: { connection } });
  const shown = byTestId("connection-status");
  if (!shown) throw new Error("no connection status shown");
  return shown;
}

describe("ConnectionStatus", () => {
  it("says offline as a status", () => {
    const shown = show("offline");
    expect(shown.getAttribute("role")).toBe("status");
    expect(shown.textContent).toContain("Mất kết nối");
  });

  it("warns of a changed certificate as an alert, in Vietnamese and English", () => {
    let shown = show("certificate_refused");
    expect(shown.getAttribute("role")).toBe("alert");
    expect(shown.getAttribute("data-connection")).toBe("certificate_refused");
    expect(shown.textContent).toContain("CẢNH BÁO: chứng chỉ máy chủ đã thay đổi");
    cleanUp(component);
    setLocale("en");
    shown = show("certificate_refused");
    expect(shown.textContent).toContain("WARNING: the server's certificate changed");
  });
});

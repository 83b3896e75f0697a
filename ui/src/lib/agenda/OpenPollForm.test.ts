// @vitest-environment happy-dom
// The chair's form to open a poll: a motion by default; options, an election or a confidence vote
// with its lines typed one per line (trimmed, empty lines left out) and the number to choose. A
// form the server would refuse is refused here first, with a message tied to the wrong field, and
// nothing is sent.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import { capabilities, item, meeting, mirrorView } from "../testing/fixtures";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import ItemDetail from "./ItemDetail.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

afterEach(() => {
  cleanUp(component);
  component = null;
});

function showChairForm(locale: "vi" | "en" = "vi") {
  setLocale(locale);
  calls = recordCalls(() => null);
  const state = meeting([item(1, 0), item(2, 1)]);
  component = mount(ItemDetail, {
    target: document.body,
    props: {
      item: state.items[1],
      meeting: state,
      view: mirrorView({ role: "chair", state, may: capabilities({ manage_polls: true }) }),
      onOpenDocument: () => {},
    },
  });
  flushSync();
}

function type(testid: string, value: string) {
  const field = byTestId(testid) as HTMLInputElement | HTMLTextAreaElement;
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

function choose(testid: string) {
  byTestId(testid)!.click();
  flushSync();
}

const opened = () => calls.filter((call) => call.command === "open_poll");

describe("the chair's form to open a poll", () => {
  it("opens a motion by default, as before", async () => {
    showChairForm();
    expect((byTestId("ballot-kind-motion") as HTMLInputElement).checked).toBe(true);
    expect(byTestId("ballot-lines")).toBeNull();
    choose("open-poll");
    await vi.waitFor(() => expect(opened()).toHaveLength(1));
    expect((opened()[0].args as { form: { ballot: unknown } }).form.ballot).toBeNull();
  });

  it("sends an election's candidates, trimmed and without empty lines, and its seats", async () => {
    showChairForm();
    choose("ballot-kind-election");
    const lines = byTestId("ballot-lines")!;
    expect(document.querySelector(`label[for="${lines.id}"]`)!.textContent).toContain("Danh sách ứng cử viên");
    type("ballot-lines", "  Nguyễn Văn An \n\nTrần Thị Bình\n   \nLê Văn Cường\n");
    expect(byTestId("ballot-line-count")!.textContent).toContain("Đã nhập 3 dòng");
    type("ballot-count", "2");
    const secrecy = byTestId("poll-secrecy") as HTMLSelectElement;
    secrecy.value = "secret";
    secrecy.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    choose("open-poll");
    await vi.waitFor(() => expect(opened()).toHaveLength(1));
    expect(opened()[0].args).toEqual({
      form: {
        itemId: 2,
        title: "Nội dung 2",
        preset: "resolution",
        durationSeconds: null,
        secrecy: "secret",
        quorumOverride: null,
        changeable: false,
        ballot: { type: "election", candidates: ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"], seats: 2 },
      },
    });
  });

  it("refuses more seats than candidates with a message on the seats field, and sends nothing", async () => {
    showChairForm();
    choose("ballot-kind-yes_no_each");
    type("ballot-lines", "Nguyễn Văn An\nTrần Thị Bình");
    type("ballot-count", "3");
    choose("open-poll");
    const problem = byTestId("ballot-form-problem")!;
    expect(problem.textContent).toContain("Số người cần bầu phải từ 1 đến 2 (số ứng cử viên).");
    const seats = byTestId("ballot-count")!;
    expect(seats.getAttribute("aria-invalid")).toBe("true");
    expect(seats.getAttribute("aria-describedby")).toContain(problem.id);
    await vi.waitFor(() => expect(document.activeElement).toBe(seats));
    expect(opened()).toEqual([]);

    // Mended, the message goes and the poll opens with yes/no per candidate.
    type("ballot-count", "1");
    expect(byTestId("ballot-form-problem")).toBeNull();
    choose("open-poll");
    await vi.waitFor(() => expect(opened()).toHaveLength(1));
    expect((opened()[0].args as { form: { ballot: unknown } }).form.ballot).toEqual({
      type: "yes_no_each",
      candidates: ["Nguyễn Văn An", "Trần Thị Bình"],
      seats: 1,
    });
  });

  it("refuses options with fewer than two, or a name twice, in either language", async () => {
    showChairForm("en");
    choose("ballot-kind-options");
    type("ballot-lines", "Phương án 1\n\n");
    choose("open-poll");
    expect(byTestId("ballot-form-problem")!.textContent).toContain("At least 2 options are needed, one per line.");
    await vi.waitFor(() => expect(document.activeElement).toBe(byTestId("ballot-lines")));

    choose("ballot-kind-confidence");
    type("ballot-lines", "Nguyễn Văn An\nnguyen van an");
    choose("open-poll");
    expect(byTestId("ballot-form-problem")!.textContent).toContain("Line 2 (“nguyen van an”) repeats line 1.");
    expect(opened()).toEqual([]);

    type("ballot-lines", "Nguyễn Văn An\nTrần Thị Bình");
    choose("open-poll");
    await vi.waitFor(() => expect(opened()).toHaveLength(1));
    expect((opened()[0].args as { form: { ballot: unknown } }).form.ballot).toEqual({
      type: "confidence",
      persons: ["Nguyễn Văn An", "Trần Thị Bình"],
    });
  });
});

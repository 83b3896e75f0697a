// @vitest-environment happy-dom
// The meeting's voting rule presets: each with its rule and legal source in words; the
// secretariat corrects one, adds one and removes one (after a yes), the chair only reads them.

import { flushSync, mount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import { byTestId, cleanUp, recordCalls, type Calls } from "../testing/tauri";
import { councilPresets } from "../testing/fixtures";
import RulePresets from "./RulePresets.svelte";

let component: ReturnType<typeof mount> | null = null;
let calls: Calls = [];

afterEach(() => {
  cleanUp(component);
  component = null;
});

function show(mayEdit: boolean) {
  setLocale("vi");
  calls = recordCalls();
  component = mount(RulePresets, { target: document.body, props: { presets: councilPresets(), mayEdit } });
  byTestId("rule-presets-toggle")!.click();
  flushSync();
}

function type(testid: string, value: string) {
  const field = byTestId(testid) as HTMLInputElement | HTMLSelectElement;
  field.value = value;
  field.dispatchEvent(new Event(field instanceof HTMLSelectElement ? "change" : "input", { bubbles: true }));
  flushSync();
}

describe("the meeting's rule presets", () => {
  it("show each rule and its source in words, the first marked the default; the chair cannot change them", () => {
    show(false);
    const shown = [...document.querySelectorAll('[data-testid="rule-preset"]')].map((row) => row.textContent ?? "");
    expect(shown).toHaveLength(2);
    expect(shown[0]).toContain("Thông qua nghị quyết");
    expect(shown[0]).toContain("(mặc định)");
    expect(shown[0]).toContain("Quá nửa tổng số đại biểu; cần ít nhất hai phần ba tổng số đại biểu có mặt");
    expect(shown[1]).toContain("Ít nhất hai phần ba tổng số đại biểu");
    expect(shown[1]).toContain("Căn cứ: Luật Tổ chức chính quyền địa phương 2025 (chưa ghi điều, khoản)");
    expect(byTestId("rule-preset-edit")).toBeNull();
    expect(byTestId("rule-preset-add")).toBeNull();
  });

  it("let the secretariat write in the article a preset's source was checked against", async () => {
    show(true);
    (document.querySelectorAll('[data-testid="rule-preset-edit"]')[0] as HTMLElement).click();
    flushSync();
    type("rule-preset-article", "Điều 91, khoản 2");
    byTestId("rule-preset-save")!.click();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toEqual({
      command: "set_rule_preset",
      args: { preset: { ...councilPresets()[0], source: { law: councilPresets()[0].source.law, article: "Điều 91, khoản 2" } } },
    });
    await vi.waitFor(() => expect(byTestId("rule-preset-form")).toBeNull());
  });

  it("let the secretariat add a rule of its own", async () => {
    show(true);
    byTestId("rule-preset-add")!.click();
    flushSync();
    type("rule-preset-id", "ngan-sach");
    type("rule-preset-name", "Phê chuẩn dự toán ngân sách");
    type("rule-preset-law", "Luật Ngân sách nhà nước");
    type("rule-preset-comparison", "at_least");
    type("rule-preset-threshold", "3/4");
    type("rule-preset-base", "present");
    type("rule-preset-quorum", "");
    byTestId("rule-preset-save")!.click();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0].args).toEqual({
      preset: {
        id: "ngan-sach",
        name: "Phê chuẩn dự toán ngân sách",
        rule: {
          base: "present",
          threshold: { numerator: 3, denominator: 4 },
          comparison: "at_least",
          quorum: null,
        },
        source: { law: "Luật Ngân sách nhà nước", article: null },
      },
    });
  });

  it("remove a preset only after a yes", async () => {
    show(true);
    (document.querySelectorAll('[data-testid="rule-preset-remove"]')[1] as HTMLElement).click();
    flushSync();
    expect(calls).toEqual([]);
    expect(document.querySelector('[role="alert"]')!.textContent).toContain("Miễn nhiệm, bãi nhiệm");
    byTestId("rule-preset-remove-yes")!.click();
    await vi.waitFor(() => expect(calls).toEqual([{ command: "remove_rule_preset", args: { presetId: "dismissal" } }]));
  });
});

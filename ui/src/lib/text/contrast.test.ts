/// <reference types="node" />
// The high-contrast palette in app.css keeps its promise: every text colour at least 7:1 (WCAG AAA)
// on the backgrounds it is drawn on, borders, controls and the focus ring at least 3:1.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// Read as text: Vitest does not load stylesheets.
const css = readFileSync(new URL("../../app.css", import.meta.url), "utf8");

/** The custom properties set in the first rule whose selector is exactly `selector`. */
function palette(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = css.slice(start, css.indexOf("}", start));
  return Object.fromEntries([...body.matchAll(/(--[\w-]+):\s*([^;]+);/g)].map((match) => [match[1], match[2].trim()]));
}

function luminance(hex: string): number {
  expect(hex).toMatch(/^#[0-9a-f]{6}$/i);
  const [r, g, b] = [1, 3, 5].map((at) => {
    const value = parseInt(hex.slice(at, at + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function ratio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

const high = palette(':root[data-contrast="high"]');

describe("high-contrast palette", () => {
  it.each([
    ["--text", "--background"],
    ["--text", "--surface"],
    ["--text-muted", "--background"],
    ["--text-muted", "--surface"],
    ["--text", "--accent-soft"],
    ["--text", "--danger-soft"],
    ["--text", "--warn-soft"],
    ["--accent", "--surface"],
    ["--accent", "--accent-soft"],
    ["--ok", "--surface"],
    ["--danger", "--surface"],
    ["--danger", "--danger-soft"],
    ["--warn", "--surface"],
    ["--warn", "--warn-soft"],
    ["--neutral", "--surface"],
    ["--on-accent", "--accent"],
    ["--on-accent", "--ok"],
    ["--on-accent", "--danger"],
    ["--on-accent", "--warn"],
    ["--on-accent", "--neutral"],
    ["--text", "--field"],
  ])("text %s on %s is at least 7:1", (text, background) => {
    expect(ratio(high[text], high[background])).toBeGreaterThanOrEqual(7);
  });

  it.each([
    ["--border", "--surface"],
    ["--border-strong", "--surface"],
    ["--focus", "--background"],
    ["--focus", "--surface"],
  ])("%s against %s is at least 3:1", (mark, background) => {
    expect(ratio(high[mark], high[background])).toBeGreaterThanOrEqual(3);
  });

  it("draws a thicker focus ring than the normal look", () => {
    const normal = palette(":root");
    expect(parseFloat(high["--focus-width"])).toBeGreaterThan(parseFloat(normal["--focus-width"]));
  });

  it("overrides every colour the normal look defines", () => {
    const normal = palette(":root");
    const colours = Object.keys(normal).filter((name) => !name.startsWith("--focus-"));
    expect(colours.filter((name) => !(name in high))).toEqual([]);
  });
});

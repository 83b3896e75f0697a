// @vitest-environment happy-dom
// A secret ballot asks for the password again after the set minutes untouched, before every one
// when the setting is 0; the person's input keeps the app in use, a pause is remembered until the
// password is given again, and the app's own timers never count.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { confirmed, needsReconfirmation, noteActivity, setReconfirmAfter, watchActivity } from "./reconfirm.svelte";

const START = Date.parse("2026-12-01T01:00:00Z");
const minutes = (count: number) => START + count * 60_000;

beforeEach(() => {
  setReconfirmAfter(5);
  confirmed(START);
});

describe("the idle threshold", () => {
  it("does not ask just before the set minutes, and asks from them on", () => {
    expect(needsReconfirmation(minutes(5) - 1)).toBe(false);
    expect(needsReconfirmation(minutes(5))).toBe(true);
    expect(needsReconfirmation(minutes(60))).toBe(true);
  });

  it("follows the minutes the app was launched with", () => {
    setReconfirmAfter(2);
    expect(needsReconfirmation(minutes(1))).toBe(false);
    expect(needsReconfirmation(minutes(2))).toBe(true);
  });

  it("asks before every secret ballot when set to 0, even right after a confirmation", () => {
    setReconfirmAfter(0);
    confirmed(START);
    expect(needsReconfirmation(START)).toBe(true);
  });

  it("takes a setting that is not a number of minutes as 0: it asks rather than not", () => {
    setReconfirmAfter(Number.NaN);
    expect(needsReconfirmation(START)).toBe(true);
    setReconfirmAfter(-3);
    expect(needsReconfirmation(START)).toBe(true);
  });
});

describe("the person's activity", () => {
  it("keeps the app in use while it comes within the minutes", () => {
    noteActivity(minutes(4));
    noteActivity(minutes(8));
    expect(needsReconfirmation(minutes(12))).toBe(false);
    expect(needsReconfirmation(minutes(13))).toBe(true);
  });

  it("remembers a pause until the password is given again, however busy the person is since", () => {
    // The very press on a vote button is activity: it must not hide the pause before it.
    noteActivity(minutes(6));
    expect(needsReconfirmation(minutes(6))).toBe(true);
    noteActivity(minutes(7));
    expect(needsReconfirmation(minutes(7))).toBe(true);
    confirmed(minutes(7));
    expect(needsReconfirmation(minutes(8))).toBe(false);
    expect(needsReconfirmation(minutes(12))).toBe(true);
  });
});

describe("watching the window", () => {
  let stop: (() => void) | null = null;

  afterEach(() => {
    stop?.();
    stop = null;
    vi.useRealTimers();
  });

  it("counts a key, a press, the wheel and a touch, and not the app's own timers", () => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
    confirmed();
    stop = watchActivity();
    // The app's own work (a countdown, mirror updates) runs on timers: none of it is activity.
    setInterval(() => window.dispatchEvent(new CustomEvent("mirror-changed")), 1000);
    for (const type of ["keydown", "pointerdown", "wheel", "touchstart"]) {
      vi.advanceTimersByTime(4 * 60_000);
      window.dispatchEvent(new Event(type));
      expect(needsReconfirmation(), type).toBe(false);
    }
    vi.advanceTimersByTime(5 * 60_000);
    expect(needsReconfirmation()).toBe(true);
  });

  it("installs its listeners once and removes them", () => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
    const adding = vi.spyOn(window, "addEventListener");
    stop = watchActivity();
    expect(watchActivity()).toBe(stop);
    expect(adding.mock.calls.map(([type]) => type).sort()).toEqual(["keydown", "pointerdown", "touchstart", "wheel"]);
    adding.mockRestore();
    stop();
    stop = null;
    vi.advanceTimersByTime(4 * 60_000);
    window.dispatchEvent(new Event("keydown"));
    vi.advanceTimersByTime(60_000);
    expect(needsReconfirmation()).toBe(true);
  });
});

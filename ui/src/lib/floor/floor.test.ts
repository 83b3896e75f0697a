// The speaking queue's arithmetic: places, the whole new order when a speaker moves, the time
// left by the server's clock and the overrun, and the hall's clock in Vietnam time.

import { describe, expect, it } from "vitest";
import { setLocale } from "../i18n/locale.svelte";
import type { Floor } from "../protocol/Floor";
import { meeting, item, speech, speechRequest } from "../testing/fixtures";
import {
  durationText,
  floorOf,
  itemTitle,
  meetingClock,
  minutesSeconds,
  movedOrder,
  myFloor,
  placeInQueue,
  secondsLeft,
  untilNextMinute,
} from "./floor";

const queue: Floor = {
  queue: [speechRequest(5, "Lê Văn Năm"), speechRequest(3, "Nguyễn Văn Ba"), speechRequest(9, "Phạm Thị Chín")],
  speaking: null,
};

describe("places in the queue", () => {
  it("counts from 1 in the server's order", () => {
    expect(placeInQueue(queue, 5)).toBe(1);
    expect(placeInQueue(queue, 9)).toBe(3);
    expect(placeInQueue(queue, 4)).toBeNull();
  });

  it("says whether a member speaks, waits (and where) or neither", () => {
    const floor = { ...queue, speaking: speech(4, "Trần Thị Bốn", 1000) };
    expect(myFloor(floor, 4)).toEqual({ state: "speaking" });
    expect(myFloor(floor, 3)).toEqual({ state: "waiting", place: 2 });
    expect(myFloor(floor, 7)).toEqual({ state: "idle" });
  });

  it("reads a snapshot without a floor as an empty one", () => {
    expect(floorOf(null)).toEqual({ queue: [], speaking: null });
    const old = meeting([item(1, 0)]) as unknown as Record<string, unknown>;
    delete old.floor;
    expect(floorOf(old as never)).toEqual({ queue: [], speaking: null });
  });
});

describe("what a request is about", () => {
  it("names the item a request or speech is about, if it is still on the agenda", () => {
    const state = meeting([item(1, 0), item(2, 1)]);
    expect(itemTitle(state, 2)).toBe("Nội dung 2");
    expect(itemTitle(state, 8)).toBeNull();
    expect(itemTitle(state, null)).toBeNull();
  });
});

describe("moving a speaker", () => {
  it("gives the whole new order", () => {
    expect(movedOrder(queue, 5, 1)).toEqual([3, 5, 9]);
    expect(movedOrder(queue, 9, -1)).toEqual([5, 9, 3]);
  });

  it("refuses moves past either end or of someone not waiting", () => {
    expect(movedOrder(queue, 5, -1)).toBeNull();
    expect(movedOrder(queue, 9, 1)).toBeNull();
    expect(movedOrder(queue, 4, 1)).toBeNull();
  });
});

describe("the time of a speech", () => {
  const started = Date.parse("2026-12-01T01:30:00Z") / 1000;
  const given = speech(4, "Trần Thị Bốn", started, 180);

  it("counts down by the server's clock, rounding up to whole seconds", () => {
    expect(secondsLeft(given, started * 1000, 0)).toBe(180);
    expect(secondsLeft(given, started * 1000 + 59_500, 0)).toBe(121);
    // The laptop runs two minutes slow: the server says one minute has gone.
    expect(secondsLeft(given, started * 1000 - 60_000, 120_000)).toBe(120);
  });

  it("goes negative by the overrun, and is never -0", () => {
    expect(Object.is(secondsLeft(given, (started + 180) * 1000 + 400, 0), 0)).toBe(true);
    expect(secondsLeft(given, (started + 222) * 1000, 0)).toBe(-42);
  });

  it("is written m:ss whatever its sign, and in words when said as a length", () => {
    expect(minutesSeconds(180)).toBe("3:00");
    expect(minutesSeconds(-42)).toBe("0:42");
    expect(minutesSeconds(605)).toBe("10:05");
    setLocale("vi");
    expect(durationText(180)).toBe("3 phút");
    expect(durationText(90)).toBe("1 phút 30 giây");
    expect(durationText(45)).toBe("45 giây");
  });
});

describe("the meeting clock", () => {
  it("shows Vietnam time on 24 hours by the server's clock", () => {
    const laptop = Date.parse("2026-12-01T07:05:30Z");
    expect(meetingClock(laptop, 0)).toBe("14:05");
    expect(meetingClock(laptop, 120_000)).toBe("14:07");
    expect(meetingClock(Date.parse("2026-12-01T17:59:59Z"), 1_000)).toBe("01:00");
  });

  it("waits until the server's clock turns the next minute", () => {
    const laptop = Date.parse("2026-12-01T07:05:30Z");
    expect(untilNextMinute(laptop, 0)).toBe(30_000);
    expect(untilNextMinute(laptop, 10_000)).toBe(20_000);
    expect(untilNextMinute(Date.parse("2026-12-01T07:05:00Z"), 0)).toBe(60_000);
  });
});

describe("the time left of a speech, when the clocks disagree by a second", () => {
  it("is never more than the time given", () => {
    const speech = { user_id: 3, name: "Đỗ Thị Chi", item_id: null, started_at: 1_000, seconds: 180 };
    // The laptop's estimate of the server's clock runs 1.5 s behind the server that started it.
    expect(secondsLeft(speech, 1_000_000 - 1_500, 0)).toBe(180);
    expect(secondsLeft(speech, 1_000_000 + 500, 0)).toBe(180);
    expect(secondsLeft(speech, 1_001_000 + 500, 0)).toBe(179);
  });
});

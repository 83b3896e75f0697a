// The speaking queue as the screen shows it, derived from the mirrored meeting state: whose turn,
// how long is left by the server's clock, and the whole new order when the chair moves someone.
// Pure, so it is tested directly; the components only draw it.

import { t } from "../i18n/locale.svelte";
import type { Floor } from "../protocol/Floor";
import type { MeetingState } from "../protocol/MeetingState";
import type { Speech } from "../protocol/Speech";

/** The floor of a meeting; a snapshot of a server before the speaking queue has none: empty. */
export function floorOf(state: MeetingState | null): Floor {
  return state?.floor ?? { queue: [], speaking: null };
}

/** Where the member waits in the queue, counted from 1; `null` when they are not waiting. */
export function placeInQueue(floor: Floor, userId: number): number | null {
  const index = floor.queue.findIndex((request) => request.user_id === userId);
  return index < 0 ? null : index + 1;
}

/** What this member's own part of the panel shows. */
export type MyFloor = { state: "speaking" } | { state: "waiting"; place: number } | { state: "idle" };

export function myFloor(floor: Floor, userId: number): MyFloor {
  if (floor.speaking?.user_id === userId) return { state: "speaking" };
  const place = placeInQueue(floor, userId);
  return place === null ? { state: "idle" } : { state: "waiting", place };
}

/**
 * The complete queue after moving `userId` one place up (`-1`) or down (`+1`), as user ids:
 * `order_speakers` takes the whole order. `null` when the move is not possible (the first up,
 * the last down, someone no longer waiting).
 */
export function movedOrder(floor: Floor, userId: number, step: -1 | 1): number[] | null {
  const order = floor.queue.map((request) => request.user_id);
  const from = order.indexOf(userId);
  const to = from + step;
  if (from < 0 || to < 0 || to >= order.length) return null;
  [order[from], order[to]] = [order[to], order[from]];
  return order;
}

/** The server's clock now, in milliseconds: this laptop's plus the offset the app measured. */
export function serverNowMs(laptopNowMs: number, clockOffsetMs: number): number {
  return laptopNowMs + clockOffsetMs;
}

/**
 * Whole seconds left of the speech by the server's clock; negative once the time given has run
 * out (-42: 42 seconds over). Rounded up, like a poll's countdown: "0:01" until the last second
 * has gone; at most the time given.
 */
export function secondsLeft(speech: Speech, laptopNowMs: number, clockOffsetMs: number): number {
  const left = Math.ceil(speech.started_at + speech.seconds - serverNowMs(laptopNowMs, clockOffsetMs) / 1000);
  // `Math.ceil(-0.4)` is -0, which would print as an overrun of nothing; and the clocks agree
  // to the second at best (the `Date` header), so never more is left than was given.
  return left === 0 ? 0 : Math.min(left, speech.seconds);
}

/** Minutes and seconds of a length of time, m:ss ("3:00", "0:42", "12:05"), whatever its sign. */
export function minutesSeconds(seconds: number): string {
  const whole = Math.abs(Math.trunc(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** Vietnam keeps UTC+7 all year (no daylight saving). */
export const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/**
 * The meeting's clock, HH:MM on 24 hours, Vietnam time, by the server's clock: a laptop whose
 * clock or time zone is set wrong still shows the hall's time.
 */
export function meetingClock(laptopNowMs: number, clockOffsetMs: number): string {
  const vietnam = new Date(serverNowMs(laptopNowMs, clockOffsetMs) + VIETNAM_OFFSET_MS);
  const hours = String(vietnam.getUTCHours()).padStart(2, "0");
  const minutes = String(vietnam.getUTCMinutes()).padStart(2, "0");
  return `${hours}:${minutes}`;
}

/** Milliseconds until the server's clock next turns to a new minute (never 0: a whole minute then). */
export function untilNextMinute(laptopNowMs: number, clockOffsetMs: number): number {
  const into = ((serverNowMs(laptopNowMs, clockOffsetMs) % 60_000) + 60_000) % 60_000;
  return 60_000 - into;
}

/** The times the chair gives the floor for, in minutes; three unless chosen otherwise. */
export const GRANT_MINUTES: readonly number[] = [1, 2, 3, 5, 10];
export const DEFAULT_GRANT_MINUTES = 3;

/** A speech's identity: the same member given the floor again is a new speech. */
export function speechKey(speech: Speech): string {
  return `${speech.user_id}@${speech.started_at}`;
}

/** The title of an item of the meeting, or `null` for none (or one no longer on the agenda). */
export function itemTitle(state: MeetingState | null, itemId: number | null): string | null {
  if (itemId === null || !state) return null;
  return state.items.find((item) => item.id === itemId)?.title ?? null;
}

/** A length of time in words ("3 phút", "1 phút 30 giây", "45 giây"): never "3:00", read as an hour. */
export function durationText(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  if (minutes === 0) return t("floor.seconds", { seconds: rest });
  if (rest === 0) return t("floor.minutes", { minutes });
  return t("floor.minutesSeconds", { minutes, seconds: rest });
}

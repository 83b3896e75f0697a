// The geometry and bookkeeping of annotations in the reader: places as fractions of the page,
// boxes of selected text merged line by line, the words a mark holds on to, hit-testing for the
// eraser and for picking, moving, and an undo history. Pure, so it is tested directly.

import type { Annotation } from "../protocol/Annotation";
import type { AnnotationBody } from "../protocol/AnnotationBody";
import type { PagePoint } from "../protocol/PagePoint";
import type { PageRect } from "../protocol/PageRect";
import type { TextQuote } from "../protocol/TextQuote";

/** Colours offered: yellow, green, red, blue, strong enough for older eyes on a bright screen. */
export const COLOURS = ["#ffd400", "#3cb44b", "#e6194b", "#1e64c8"] as const;

/** Pen widths as fractions of the page's width: thin, medium, thick. */
export const WIDTHS = [0.002, 0.004, 0.008] as const;

/** Characters of text kept before and after marked words (the server's quotes are alike). */
export const CONTEXT_CHARS = 32;

export type Tool =
  | "select"
  | "highlight"
  | "underline"
  | "strike_out"
  | "pen"
  | "highlighter"
  | "eraser"
  | "note"
  | "free_text";

/** A fresh annotation id: random, so a laptop offline can make one that is unique. */
export function newAnnotationId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A box of the screen (a DOMRect's fields) as a fraction of the page frame's box. */
export function toPageRect(
  rect: { left: number; top: number; width: number; height: number },
  frame: { left: number; top: number; width: number; height: number },
): PageRect {
  return {
    left: (rect.left - frame.left) / frame.width,
    top: (rect.top - frame.top) / frame.height,
    width: rect.width / frame.width,
    height: rect.height / frame.height,
  };
}

/**
 * The boxes of a text selection, one per line: boxes that overlap vertically by half of the
 * shorter are one line, joined from the leftmost to the rightmost.
 */
export function mergeLines(rects: PageRect[]): PageRect[] {
  const lines: PageRect[] = [];
  const sorted = rects
    .filter((rect) => rect.width > 0 && rect.height > 0)
    .sort((a, b) => a.top - b.top || a.left - b.left);
  for (const rect of sorted) {
    const line = lines.find((candidate) => {
      const overlap =
        Math.min(candidate.top + candidate.height, rect.top + rect.height) - Math.max(candidate.top, rect.top);
      return overlap > Math.min(candidate.height, rect.height) / 2;
    });
    if (line) {
      const right = Math.max(line.left + line.width, rect.left + rect.width);
      const bottom = Math.max(line.top + line.height, rect.top + rect.height);
      line.left = Math.min(line.left, rect.left);
      line.top = Math.min(line.top, rect.top);
      line.width = right - line.left;
      line.height = bottom - line.top;
    } else {
      lines.push({ ...rect });
    }
  }
  return lines;
}

/** The words from `start` to `end` (characters) of a page's text, with some text around them. */
export function quoteOf(pageText: string, start: number, end: number): TextQuote {
  const chars = Array.from(pageText);
  return {
    exact: chars.slice(start, end).join(""),
    prefix: chars.slice(Math.max(0, start - CONTEXT_CHARS), start).join(""),
    suffix: chars.slice(end, end + CONTEXT_CHARS).join(""),
  };
}

/** A text run of the page's text layer: its words and box (fractions of the page). */
export type RunBox = { text: string; left: number; top: number; width: number; height: number };

/**
 * The words nearest to `point` — the closest run of the page's text, with the text around it — so
 * an ink stroke, a note or a text box can be placed beside the same words on a later revision.
 * `null` on a page without text.
 */
export function nearQuote(runs: RunBox[], point: PagePoint): TextQuote | null {
  let best = -1;
  let bestDistance = Infinity;
  runs.forEach((run, index) => {
    const dx = Math.max(run.left - point.x, 0, point.x - (run.left + run.width));
    const dy = Math.max(run.top - point.y, 0, point.y - (run.top + run.height));
    const distance = Math.hypot(dx, dy);
    if (distance < bestDistance && run.text.trim() !== "") {
      best = index;
      bestDistance = distance;
    }
  });
  if (best < 0) return null;
  const start = runs.slice(0, best).reduce((sum, run) => sum + Array.from(run.text).length + 1, 0);
  const text = runs.map((run) => run.text).join("\n");
  return quoteOf(text, start, start + Array.from(runs[best].text).length);
}

/** Distance from `point` to the segment from `a` to `b`, with `aspect` (height / width) so that a
 * distance across the page and one along it count alike. */
function distanceToSegment(point: PagePoint, a: PagePoint, b: PagePoint, aspect: number): number {
  const [px, py, ax, ay, bx, by] = [point.x, point.y * aspect, a.x, a.y * aspect, b.x, b.y * aspect];
  const dx = bx - ax;
  const dy = by - ay;
  const length = dx * dx + dy * dy;
  const t = length === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function inRect(point: PagePoint, rect: PageRect, slack: number): boolean {
  return (
    point.x >= rect.left - slack &&
    point.x <= rect.left + rect.width + slack &&
    point.y >= rect.top - slack &&
    point.y <= rect.top + rect.height + slack
  );
}

/** Whether `point` touches the annotation, within `slack` (a fraction of the page's width). */
export function touches(body: AnnotationBody, point: PagePoint, slack: number, aspect: number): boolean {
  switch (body.kind) {
    case "highlight":
    case "underline":
    case "strike_out":
      return body.rects.some((rect) => inRect(point, rect, slack));
    case "ink":
      return body.strokes.some((stroke) =>
        stroke.length === 1
          ? distanceToSegment(point, stroke[0], stroke[0], aspect) <= slack + body.width
          : stroke.slice(1).some((to, index) => distanceToSegment(point, stroke[index], to, aspect) <= slack + body.width),
      );
    case "note":
      return Math.abs(point.x - body.at.x) <= slack * 3 && Math.abs(point.y - body.at.y) * aspect <= slack * 3;
    case "free_text":
      return inRect(point, body.rect, slack);
  }
}

/** The smallest box around the annotation on its page (fractions); a note is a point, a box of no size; `null` for one without a place. */
export function placeOf(body: AnnotationBody): PageRect | null {
  const around = (points: PagePoint[]): PageRect | null => {
    if (points.length === 0) return null;
    const xs = points.map((point) => point.x);
    const ys = points.map((point) => point.y);
    const [left, top] = [Math.min(...xs), Math.min(...ys)];
    return { left, top, width: Math.max(...xs) - left, height: Math.max(...ys) - top };
  };
  const corners = (rect: PageRect): PagePoint[] => [
    { x: rect.left, y: rect.top },
    { x: rect.left + rect.width, y: rect.top + rect.height },
  ];
  switch (body.kind) {
    case "highlight":
    case "underline":
    case "strike_out":
      return around(body.rects.flatMap(corners));
    case "ink":
      return around(body.strokes.flat());
    case "note":
      return { left: body.at.x, top: body.at.y, width: 0, height: 0 };
    case "free_text":
      return body.rect;
  }
}

/** The annotation's body moved by `dx`, `dy` (fractions of the page). */
export function moved(body: AnnotationBody, dx: number, dy: number): AnnotationBody {
  const point = (p: PagePoint): PagePoint => ({ x: p.x + dx, y: p.y + dy });
  const rect = (r: PageRect): PageRect => ({ ...r, left: r.left + dx, top: r.top + dy });
  switch (body.kind) {
    case "highlight":
    case "underline":
    case "strike_out":
      return { ...body, rects: body.rects.map(rect) };
    case "ink":
      return { ...body, strokes: body.strokes.map((stroke) => stroke.map(point)) };
    case "note":
      return { ...body, at: point(body.at) };
    case "free_text":
      return { ...body, rect: rect(body.rect) };
  }
}

/** Drops points closer than `step` to the last one kept, so a slow stroke is not thousands of points. */
export function thinned(points: PagePoint[], step: number): PagePoint[] {
  const kept: PagePoint[] = [];
  for (const point of points) {
    const last = kept[kept.length - 1];
    if (!last || Math.hypot(point.x - last.x, point.y - last.y) >= step) kept.push(point);
  }
  const end = points[points.length - 1];
  if (end && kept[kept.length - 1] !== end) kept.push(end);
  return kept;
}

/** One step of the history: an annotation before and after (`null`: it did not exist / was deleted). */
export type Step = { before: Annotation | null; after: Annotation | null };

/** Undo and redo of the reader's own changes, newest last. */
export class History {
  private done: Step[] = [];
  private undone: Step[] = [];

  /**
   * Records a change. A stroke saved again while it is drawn (the same new annotation) stays one
   * step, so one undo takes the whole stroke away.
   */
  record(step: Step): void {
    const last = this.done[this.done.length - 1];
    const sameCreation =
      last !== undefined && last.before === null && step.before === null && last.after?.id === step.after?.id;
    if (sameCreation) last.after = step.after;
    else this.done.push(step);
    this.undone = [];
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  /** The step to reverse (its `before` is what to restore), moved to the redo list. */
  undo(): Step | null {
    const step = this.done.pop() ?? null;
    if (step) this.undone.push(step);
    return step;
  }

  /** The step to apply again (its `after` is what to restore), moved back to the undo list. */
  redo(): Step | null {
    const step = this.undone.pop() ?? null;
    if (step) this.done.push(step);
    return step;
  }
}

import { describe, expect, it } from "vitest";
import type { Annotation } from "../protocol/Annotation";
import {
  History,
  mergeLines,
  moved,
  nearQuote,
  newAnnotationId,
  quoteOf,
  thinned,
  toPageRect,
  touches,
} from "./annotations";

function annotation(id: string, color = "#ffd400"): Annotation {
  return {
    id,
    document_id: 1,
    revision: 1,
    page: 0,
    color,
    body: { kind: "note", at: { x: 0.5, y: 0.5 }, text: "Hỏi thêm", near: null },
    shared: false,
    deleted: false,
    changed_at: 0,
    device: "",
    carried_from: null,
  };
}

describe("annotation geometry", () => {
  it("turns the boxes of a selection into one box per line, as fractions of the page", () => {
    const frame = { left: 100, top: 50, width: 1000, height: 1414 };
    const words = [
      { left: 200, top: 150, width: 80, height: 20 },
      { left: 290, top: 152, width: 60, height: 18 },
      { left: 150, top: 180, width: 300, height: 20 },
    ].map((rect) => toPageRect(rect, frame));
    const lines = mergeLines(words);
    expect(lines).toHaveLength(2);
    expect(lines[0].left).toBeCloseTo(0.1);
    expect(lines[0].width).toBeCloseTo(0.15);
    expect(lines[1].top).toBeCloseTo(130 / 1414);
  });

  it("keeps the marked words with the text around them, counted in characters", () => {
    const text = "Điều 1. Thông qua chủ trương triển khai phòng họp không giấy";
    const start = Array.from(text).indexOf("T");
    const quote = quoteOf(text, start, start + "Thông qua".length);
    expect(quote).toEqual({ exact: "Thông qua", prefix: "Điều 1. ", suffix: " chủ trương triển khai phòng họp" });
  });

  it("finds what the eraser or the pointer touches", () => {
    const ink = {
      kind: "ink" as const,
      strokes: [[{ x: 0.1, y: 0.1 }, { x: 0.5, y: 0.1 }]],
      width: 0.004,
      highlighter: false,
      near: null,
    };
    expect(touches(ink, { x: 0.3, y: 0.105 }, 0.01, 1.414)).toBe(true);
    expect(touches(ink, { x: 0.3, y: 0.2 }, 0.01, 1.414)).toBe(false);
    const mark = {
      kind: "highlight" as const,
      rects: [{ left: 0.2, top: 0.3, width: 0.3, height: 0.02 }],
      quote: { exact: "x", prefix: "", suffix: "" },
    };
    expect(touches(mark, { x: 0.4, y: 0.31 }, 0, 1.414)).toBe(true);
    expect(touches(mark, { x: 0.6, y: 0.31 }, 0, 1.414)).toBe(false);
  });

  it("moves every kind by the same offset and thins a slow stroke", () => {
    const note = moved({ kind: "note", at: { x: 0.5, y: 0.5 }, text: "", near: null }, 0.1, -0.2);
    expect(note).toMatchObject({ at: { x: 0.6, y: 0.3 } });
    const slow = Array.from({ length: 100 }, (_, index) => ({ x: index * 0.0001, y: 0 }));
    const kept = thinned(slow, 0.001);
    expect(kept.length).toBeLessThan(12);
    expect(kept[kept.length - 1]).toEqual(slow[slow.length - 1]);
  });

  it("holds ink and notes on to the nearest words of the page", () => {
    const runs = [
      { text: "Điều 1. Thông qua chủ trương", left: 0.1, top: 0.2, width: 0.5, height: 0.02 },
      { text: "Điều 2. Giao Ủy ban nhân dân", left: 0.1, top: 0.3, width: 0.5, height: 0.02 },
    ];
    const quote = nearQuote(runs, { x: 0.8, y: 0.305 });
    expect(quote?.exact).toBe("Điều 2. Giao Ủy ban nhân dân");
    expect(quote?.prefix.endsWith("Thông qua chủ trương\n")).toBe(true);
    expect(nearQuote([], { x: 0.5, y: 0.5 })).toBeNull();
  });

  it("makes ids the server takes", () => {
    const id = newAnnotationId();
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(newAnnotationId()).not.toBe(id);
  });
});

describe("undo and redo", () => {
  it("takes a stroke saved while drawn back in one step, then gives it again", () => {
    const history = new History();
    history.record({ before: null, after: annotation("s1") });
    history.record({ before: null, after: annotation("s1", "#ff0000") });
    expect(history.canUndo).toBe(true);
    const step = history.undo();
    expect(step).toEqual({ before: null, after: annotation("s1", "#ff0000") });
    expect(history.canUndo).toBe(false);
    expect(history.redo()?.after?.color).toBe("#ff0000");
  });

  it("forgets what was undone once something new is done", () => {
    const history = new History();
    history.record({ before: null, after: annotation("a") });
    history.record({ before: annotation("a"), after: null });
    history.undo();
    expect(history.canRedo).toBe(true);
    history.record({ before: null, after: annotation("b") });
    expect(history.canRedo).toBe(false);
  });
});

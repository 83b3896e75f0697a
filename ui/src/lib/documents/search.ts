// Cutting a passage into plain and marked parts, by character ranges (Unicode scalar values, as
// the Rust side counts them; a JavaScript string index counts UTF-16 units).

import type { TextRange } from "../protocol/TextRange";

export type Part = { text: string; marked: boolean };

export function markedParts(text: string, marks: TextRange[]): Part[] {
  const chars = Array.from(text);
  const parts: Part[] = [];
  let at = 0;
  for (const mark of [...marks].sort((a, b) => a.start - b.start)) {
    const start = Math.max(mark.start, at);
    const end = Math.min(mark.end, chars.length);
    if (start >= end) continue;
    if (start > at) parts.push({ text: chars.slice(at, start).join(""), marked: false });
    parts.push({ text: chars.slice(start, end).join(""), marked: true });
    at = end;
  }
  if (at < chars.length) parts.push({ text: chars.slice(at).join(""), marked: false });
  return parts;
}

// The agenda as a tree of at most two levels (1, 1.1, 1.2, 2), read from the flat order the
// server keeps, and what a drag or a move button in the agenda builder asks the server to do.
//
// A move is sent as `move_agenda_item {item_id, parent, index}`, which the server carries out
// with `order_after_move` (phonghop-core's agenda.rs): the item, with its sub-items when it is a
// top-level one, goes to place `index` among the children of `parent` (`null`: the top level),
// counted without the item itself. The server decides whether the move is allowed; these
// functions only offer the moves it would accept and never send one that changes nothing.

import type { AgendaItem } from "../protocol/AgendaItem";
import type { Command } from "../protocol/Command";

export type MoveCommand = Extract<Command, { kind: "move_agenda_item" }>;

/** Where a dragged item is dropped, against the row it is dropped on. */
export type Placement = "before" | "after" | "inside";

/** One row of the builder: an item with its number and its place among its siblings. */
export type TreeRow = {
  item: AgendaItem;
  /** "2" for the second top-level item, "2.1" for its first sub-item. */
  number: string;
  /** 0 for a top-level item, 1 for a sub-item. */
  depth: 0 | 1;
  /** How many sub-items a top-level item has (0 for a sub-item). */
  children: number;
  /** Its place among the items of its level under the same parent, from 0. */
  siblingIndex: number;
  siblingCount: number;
};

/** Items in agenda order: by `position`, then by id, as the server sorts them. */
export function inOrder(items: readonly AgendaItem[]): AgendaItem[] {
  return [...items].sort((a, b) => a.position - b.position || a.id - b.id);
}

/** The number each item is shown with, by id: "2", "2.1". */
export function agendaNumbers(items: readonly AgendaItem[]): Map<number, string> {
  const numbers = new Map<number, string>();
  let top = 0;
  let sub = 0;
  for (const item of inOrder(items)) {
    if (item.parent === null) {
      top += 1;
      sub = 0;
      numbers.set(item.id, String(top));
    } else {
      sub += 1;
      numbers.set(item.id, `${top}.${sub}`);
    }
  }
  return numbers;
}

/** The rows of the builder, in agenda order. */
export function treeRows(items: readonly AgendaItem[]): TreeRow[] {
  const ordered = inOrder(items);
  const numbers = agendaNumbers(ordered);
  return ordered.map((item) => {
    const siblings = childrenOf(ordered, item.parent);
    return {
      item,
      number: numbers.get(item.id) ?? "",
      depth: item.parent === null ? 0 : 1,
      children: item.parent === null ? childrenOf(ordered, item.id).length : 0,
      siblingIndex: siblings.findIndex((sibling) => sibling.id === item.id),
      siblingCount: siblings.length,
    };
  });
}

/** The items directly under `parent` (`null`: the top level), in order. */
function childrenOf(ordered: readonly AgendaItem[], parent: number | null): AgendaItem[] {
  return ordered.filter((item) => item.parent === parent);
}

/**
 * The command that puts `itemId` at place `index` under `parent`, where `index` counts the
 * parent's children without the item; `null` when the item is already there.
 */
function moveTo(ordered: readonly AgendaItem[], itemId: number, parent: number | null, index: number): MoveCommand | null {
  const moved = ordered.find((item) => item.id === itemId);
  if (!moved) return null;
  if (moved.parent === parent) {
    const now = childrenOf(ordered, parent).findIndex((item) => item.id === itemId);
    if (now === index) return null;
  }
  return { kind: "move_agenda_item", item_id: itemId, parent, index };
}

/** Where `itemId` stands among the children of `parent`, counted without `without`. */
function placeAmong(ordered: readonly AgendaItem[], parent: number | null, itemId: number, without: number): number {
  return childrenOf(ordered, parent)
    .filter((item) => item.id !== without)
    .findIndex((item) => item.id === itemId);
}

/**
 * What dropping the dragged item on the row of `targetId` asks for; `null` when that drop is not
 * allowed or changes nothing. The placement is where the row shows the drop:
 * - `before`: the item takes the target's place at the target's level, just above it;
 * - `after`: just below the row. Below a top-level item with sub-items that is where its first
 *   sub-item stands, so the dropped item becomes that first sub-item. Below the last sub-item of
 *   a family a top-level item with sub-items of its own (which cannot become a sub-item) goes
 *   after the whole family, at the top level;
 * - `inside`: the item becomes the last sub-item of a top-level target.
 * A top-level item with sub-items never becomes a sub-item, nothing goes under a sub-item, and an
 * item is never dropped on itself or among its own sub-items.
 */
export function moveTarget(
  items: readonly AgendaItem[],
  draggedId: number,
  targetId: number,
  placement: Placement,
): MoveCommand | null {
  const ordered = inOrder(items);
  const dragged = ordered.find((item) => item.id === draggedId);
  const target = ordered.find((item) => item.id === targetId);
  if (!dragged || !target || draggedId === targetId) return null;
  // The dragged family cannot be dropped among its own members.
  if (target.parent === draggedId) return null;
  const hasChildren = childrenOf(ordered, draggedId).length > 0;
  const targetChildren = target.parent === null ? childrenOf(ordered, target.id).length : 0;

  switch (placement) {
    case "inside": {
      if (target.parent !== null || hasChildren) return null;
      const others = childrenOf(ordered, target.id).filter((item) => item.id !== draggedId);
      return moveTo(ordered, draggedId, target.id, others.length);
    }
    case "before": {
      if (target.parent !== null && hasChildren) return null;
      return moveTo(ordered, draggedId, target.parent, placeAmong(ordered, target.parent, target.id, draggedId));
    }
    case "after": {
      if (target.parent === null && targetChildren > 0) {
        // Just below the row is the first sub-item's place.
        if (hasChildren) return null;
        return moveTo(ordered, draggedId, target.id, 0);
      }
      if (target.parent !== null && hasChildren) {
        const family = childrenOf(ordered, target.parent);
        if (family[family.length - 1]?.id !== target.id) return null;
        return moveTo(ordered, draggedId, null, placeAmong(ordered, null, target.parent, draggedId) + 1);
      }
      return moveTo(ordered, draggedId, target.parent, placeAmong(ordered, target.parent, target.id, draggedId) + 1);
    }
  }
}

/**
 * Where over a row the pointer points: its top third is `before`, its bottom third `after`, the
 * middle `inside` when that drop is allowed, else the nearer edge. `fraction` is how far down the
 * row the pointer is, 0 to 1.
 */
export function placementAt(fraction: number, insideAllowed: boolean): Placement {
  if (fraction < 1 / 3) return "before";
  if (fraction > 2 / 3) return "after";
  if (insideAllowed) return "inside";
  return fraction < 0.5 ? "before" : "after";
}

/** The move button's step: one place up or down among its siblings. */
export function moveStep(items: readonly AgendaItem[], itemId: number, step: -1 | 1): MoveCommand | null {
  const ordered = inOrder(items);
  const item = ordered.find((candidate) => candidate.id === itemId);
  if (!item) return null;
  const siblings = childrenOf(ordered, item.parent);
  const index = siblings.findIndex((sibling) => sibling.id === itemId) + step;
  if (index < 0 || index >= siblings.length) return null;
  return moveTo(ordered, itemId, item.parent, index);
}

/**
 * "→": a top-level item without sub-items becomes the last sub-item of the top-level item above
 * it; `null` for a sub-item, the first item, or one with sub-items of its own.
 */
export function indent(items: readonly AgendaItem[], itemId: number): MoveCommand | null {
  const ordered = inOrder(items);
  const item = ordered.find((candidate) => candidate.id === itemId);
  if (!item || item.parent !== null || childrenOf(ordered, itemId).length > 0) return null;
  const tops = childrenOf(ordered, null);
  const above = tops[tops.findIndex((top) => top.id === itemId) - 1];
  if (!above) return null;
  return moveTo(ordered, itemId, above.id, childrenOf(ordered, above.id).length);
}

/** "←": a sub-item becomes a top-level item right after its parent's family; `null` for a top-level item. */
export function outdent(items: readonly AgendaItem[], itemId: number): MoveCommand | null {
  const ordered = inOrder(items);
  const item = ordered.find((candidate) => candidate.id === itemId);
  if (!item || item.parent === null) return null;
  return moveTo(ordered, itemId, null, placeAmong(ordered, null, item.parent, itemId) + 1);
}

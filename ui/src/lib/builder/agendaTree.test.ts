// The agenda builder's tree: numbers from the flat order, and every drop or move button turned
// into the `move_agenda_item` the server's `order_after_move` (phonghop-core's agenda.rs) carries
// out as the person meant it. The server's move is re-written here in TypeScript, checked against
// the Rust unit test's own expected orders, and then used to check what the builder sends.

import { describe, expect, it } from "vitest";
import type { AgendaItem } from "../protocol/AgendaItem";
import {
  agendaNumbers,
  indent,
  moveStep,
  moveTarget,
  outdent,
  placementAt,
  treeRows,
  type MoveCommand,
  type Placement,
} from "./agendaTree";

/** Items in the order given, each `[id, parent]`, like the Rust tests' `agenda(&[...])`. */
function agenda(shape: [number, number | null][]): AgendaItem[] {
  return shape.map(([id, parent], position) => ({
    id,
    position,
    parent,
    title: `Mục ${id}`,
    description: "",
    documents: [],
  }));
}

/** The Rust tests' agenda: 1 (with 4, 5), 2, 3. */
const FAMILY = agenda([
  [1, null],
  [4, 1],
  [5, 1],
  [2, null],
  [3, null],
]);

/**
 * The server's `order_after_move`, line for line: the new order of ids, or the reason it refuses.
 * `items` is in order.
 */
function serverOrder(items: AgendaItem[], itemId: number, parent: number | null, index: number): number[] | string {
  const moved = items.find((item) => item.id === itemId);
  if (!moved) return "UnknownItem";
  if (parent !== null) {
    if (parent === itemId) return "UnderItself";
    const parentItem = items.find((item) => item.id === parent);
    if (!parentItem) return "UnknownItem";
    if (parentItem.parent !== null) return "TooDeep";
    if (items.some((item) => item.parent === itemId)) return "HasSubItems";
  }
  const block = items
    .filter((item) => item.id === itemId || (moved.parent === null && item.parent === itemId))
    .map((item) => item.id);
  const rest = items.filter((item) => !block.includes(item.id));
  const siblings = rest.flatMap((item, at) => (item.parent === parent ? [at] : []));
  if (index > siblings.length) return "PastTheEnd";
  let insertAt: number;
  if (index < siblings.length) insertAt = siblings[index];
  else if (parent === null) insertAt = rest.length;
  else insertAt = rest.map((item) => item.id === parent || item.parent === parent).lastIndexOf(true) + 1;
  const order = rest.map((item) => item.id);
  order.splice(insertAt, 0, ...block);
  return order;
}

/** The agenda as a mirror has it after the server moved an item: `apply_move`. */
function applied(items: AgendaItem[], command: MoveCommand): AgendaItem[] {
  const order = serverOrder(items, command.item_id, command.parent, command.index);
  if (typeof order === "string") throw new Error(`the server refuses ${JSON.stringify(command)}: ${order}`);
  return order.map((id, position) => {
    const item = items.find((candidate) => candidate.id === id)!;
    return { ...item, position, parent: id === command.item_id ? command.parent : item.parent };
  });
}

const ids = (items: AgendaItem[]) => items.map((item) => item.id);
/** The order and each item's parent: what a move changes. */
const shapeOf = (items: AgendaItem[]) => items.map((item) => [item.id, item.parent]);

/** What `check_reorder` asks of any order: each sub-item after its parent, among its siblings. */
function keepsShape(items: AgendaItem[]): boolean {
  let lastTop: number | null = null;
  for (const item of items) {
    if (item.parent === null) lastTop = item.id;
    else if (item.parent !== lastTop) return false;
  }
  return true;
}

/** The ids that move with `itemId`: itself, and its sub-items when it is a top-level item. */
function blockOf(items: AgendaItem[], itemId: number): number[] {
  return items.filter((item) => item.id === itemId || item.parent === itemId).map((item) => item.id);
}

describe("the server's move, as re-written for these tests", () => {
  // The expected orders are those of `moving_takes_the_family_along_and_keeps_the_shape`.
  it.each([
    ["item 1 with its sub-items to the end", 1, null, 2, [2, 3, 1, 4, 5]],
    ["a sub-item to the front of its siblings", 5, 1, 0, [1, 5, 4, 2, 3]],
    ["a sub-item under another parent, which had none", 4, 3, 0, [1, 5, 2, 3, 4]],
    ["a sub-item up to the top level, between 1's family and 2", 4, null, 1, [1, 5, 4, 2, 3]],
    ["a top-level item without sub-items becomes a sub-item", 3, 1, 2, [1, 4, 5, 3, 2]],
  ] as const)("%s", (_, itemId, parent, index, expected) => {
    expect(serverOrder(FAMILY, itemId, parent, index)).toEqual(expected);
  });

  it.each([
    ["an item with sub-items under another", 1, 2, 0, "HasSubItems"],
    ["anything under a sub-item", 3, 4, 0, "TooDeep"],
    ["an item under itself", 3, 3, 0, "UnderItself"],
    ["a place past the end", 2, null, 4, "PastTheEnd"],
  ] as const)("refuses %s", (_, itemId, parent, index, reason) => {
    expect(serverOrder(FAMILY, itemId, parent, index)).toBe(reason);
  });
});

describe("numbers", () => {
  it("numbers top-level items 1, 2 and sub-items 1.1, 1.2 from the flat order", () => {
    expect([...agendaNumbers(FAMILY)]).toEqual([
      [1, "1"],
      [4, "1.1"],
      [5, "1.2"],
      [2, "2"],
      [3, "3"],
    ]);
  });

  it("follows position, not the order the items arrived in", () => {
    const shuffled = [FAMILY[3], FAMILY[0], FAMILY[4], FAMILY[2], FAMILY[1]];
    expect(agendaNumbers(shuffled).get(5)).toBe("1.2");
    expect(treeRows(shuffled).map((row) => row.number)).toEqual(["1", "1.1", "1.2", "2", "3"]);
  });

  it("gives each row its depth, sub-items and place among its siblings", () => {
    expect(treeRows(FAMILY).map(({ item, depth, children, siblingIndex, siblingCount }) => [item.id, depth, children, siblingIndex, siblingCount])).toEqual([
      [1, 0, 2, 0, 3],
      [4, 1, 0, 0, 2],
      [5, 1, 0, 1, 2],
      [2, 0, 0, 1, 3],
      [3, 0, 0, 2, 3],
    ]);
  });
});

describe("a drop", () => {
  const move = (item_id: number, parent: number | null, index: number): MoveCommand => ({
    kind: "move_agenda_item",
    item_id,
    parent,
    index,
  });

  it.each<[string, number, number, Placement, MoveCommand]>([
    ["3 before 2", 3, 2, "before", move(3, null, 1)],
    ["3 before 1, to the front", 3, 1, "before", move(3, null, 0)],
    ["2 after 3, to the end", 2, 3, "after", move(2, null, 2)],
    ["1's family after 3", 1, 3, "after", move(1, null, 2)],
    ["1's family before 3", 1, 3, "before", move(1, null, 1)],
    ["3 inside 1, as its last sub-item", 3, 1, "inside", move(3, 1, 2)],
    ["3 inside 2, which had none", 3, 2, "inside", move(3, 2, 0)],
    ["3 before 4, as 1's first sub-item", 3, 4, "before", move(3, 1, 0)],
    ["3 after 4, between 4 and 5", 3, 4, "after", move(3, 1, 1)],
    ["3 after 1, just below it: 1's first sub-item", 3, 1, "after", move(3, 1, 0)],
    ["5 before 4, among its siblings", 5, 4, "before", move(5, 1, 0)],
    ["4 after 5, among its siblings (counted without 4)", 4, 5, "after", move(4, 1, 1)],
    ["4 out before 2", 4, 2, "before", move(4, null, 1)],
    ["4 out after 3", 4, 3, "after", move(4, null, 3)],
    ["4 inside 2", 4, 2, "inside", move(4, 2, 0)],
    ["4 inside 1, where it is not last", 4, 1, "inside", move(4, 1, 1)],
  ])("%s", (_, dragged, target, placement, expected) => {
    expect(moveTarget(FAMILY, dragged, target, placement)).toEqual(expected);
  });

  it("takes a family after the whole of another when dropped below its last sub-item", () => {
    const items = agenda([
      [2, null],
      [6, 2],
      [1, null],
      [4, 1],
      [5, 1],
    ]);
    const command = moveTarget(items, 2, 5, "after");
    expect(command).toEqual(move(2, null, 1));
    expect(ids(applied(items, command!))).toEqual([1, 4, 5, 2, 6]);
    // Below a sub-item that is not the last, the family would split another: not offered.
    expect(moveTarget(items, 2, 4, "after")).toBeNull();
    // Just below another family's first row is its first sub-item's place: no family goes there.
    expect(moveTarget(items, 2, 1, "after")).toBeNull();
    expect(moveTarget(items, 1, 2, "after")).toBeNull();
  });

  it.each<[string, number, number, Placement]>([
    ["an item onto itself", 3, 3, "before"],
    ["an item inside itself", 3, 3, "inside"],
    ["an item with sub-items inside another", 1, 2, "inside"],
    ["an item with sub-items before a sub-item", 1, 4, "before"],
    ["anything inside a sub-item", 3, 4, "inside"],
    ["a family among its own sub-items", 1, 4, "after"],
    ["a family before its own sub-item", 1, 5, "before"],
    ["3 after 2, where it already is", 3, 2, "after"],
    ["2 before 3, where it already is", 2, 3, "before"],
    ["5 after 4, where it already is", 5, 4, "after"],
    ["5 inside 1, where it already is last", 5, 1, "inside"],
    ["an item that is not on the agenda", 9, 1, "before"],
    ["onto an item that is not on the agenda", 3, 9, "after"],
  ])("is not offered for %s", (_, dragged, target, placement) => {
    expect(moveTarget(FAMILY, dragged, target, placement)).toBeNull();
  });

  /** A few shapes, so every pair of rows and every placement is tried on each. */
  const shapes: [string, AgendaItem[]][] = [
    ["a family, then two items", FAMILY],
    [
      "two families and a single item",
      agenda([
        [1, null],
        [2, 1],
        [3, null],
        [4, null],
        [5, 4],
        [6, 4],
        [7, 4],
      ]),
    ],
    [
      "flat",
      agenda([
        [1, null],
        [2, null],
        [3, null],
      ]),
    ],
  ];

  it.each(shapes)("on %s, always ends where the row showed it, as the server carries it out", (_, items) => {
    let offered = 0;
    for (const dragged of items) {
      for (const target of items) {
        for (const placement of ["before", "after", "inside"] as const) {
          const command = moveTarget(items, dragged.id, target.id, placement);
          if (!command) continue;
          offered += 1;
          const after = applied(items, command);
          const order = ids(after);
          const block = blockOf(items, dragged.id);
          const at = order.indexOf(dragged.id);
          const where = `${dragged.id} ${placement} ${target.id}`;
          expect(keepsShape(after), where).toBe(true);
          expect(order.slice(at, at + block.length), where).toEqual(block);
          expect(shapeOf(after), `${where} changes something`).not.toEqual(shapeOf(items));
          if (placement === "before") {
            expect(order[at + block.length], where).toBe(target.id);
            expect(command.parent, where).toBe(target.parent);
          } else if (placement === "after") {
            expect(order[at - 1], where).toBe(target.id);
          } else {
            expect(command.parent, where).toBe(target.id);
            const family = after.filter((item) => item.parent === target.id).map((item) => item.id);
            expect(family[family.length - 1], where).toBe(dragged.id);
          }
        }
      }
    }
    expect(offered).toBeGreaterThan(items.length);
  });
});

describe("where over a row the pointer points", () => {
  it.each([
    [0, true, "before"],
    [0.3, true, "before"],
    [0.5, true, "inside"],
    [0.8, true, "after"],
    [1, true, "after"],
    [0.4, false, "before"],
    [0.6, false, "after"],
  ] as const)("%s down the row (inside allowed: %s) is %s", (fraction, insideAllowed, expected) => {
    expect(placementAt(fraction, insideAllowed)).toBe(expected);
  });
});

describe("the move buttons", () => {
  it("move an item up and down among its siblings only", () => {
    expect(moveStep(FAMILY, 2, -1)).toEqual({ kind: "move_agenda_item", item_id: 2, parent: null, index: 0 });
    expect(ids(applied(FAMILY, moveStep(FAMILY, 2, -1)!))).toEqual([2, 1, 4, 5, 3]);
    expect(moveStep(FAMILY, 2, 1)).toEqual({ kind: "move_agenda_item", item_id: 2, parent: null, index: 2 });
    expect(ids(applied(FAMILY, moveStep(FAMILY, 2, 1)!))).toEqual([1, 4, 5, 3, 2]);
    expect(ids(applied(FAMILY, moveStep(FAMILY, 1, 1)!))).toEqual([2, 1, 4, 5, 3]);
    expect(ids(applied(FAMILY, moveStep(FAMILY, 5, -1)!))).toEqual([1, 5, 4, 2, 3]);
    expect(ids(applied(FAMILY, moveStep(FAMILY, 4, 1)!))).toEqual([1, 5, 4, 2, 3]);
  });

  it("offer no step past the ends of the siblings", () => {
    expect(moveStep(FAMILY, 1, -1)).toBeNull();
    expect(moveStep(FAMILY, 3, 1)).toBeNull();
    expect(moveStep(FAMILY, 4, -1)).toBeNull();
    expect(moveStep(FAMILY, 5, 1)).toBeNull();
  });

  it("indent a top-level item as the last sub-item of the item above it", () => {
    expect(indent(FAMILY, 2)).toEqual({ kind: "move_agenda_item", item_id: 2, parent: 1, index: 2 });
    const once = applied(FAMILY, indent(FAMILY, 2)!);
    expect(ids(once)).toEqual([1, 4, 5, 2, 3]);
    expect([...agendaNumbers(once).values()]).toEqual(["1", "1.1", "1.2", "1.3", "2"]);
    expect(indent(FAMILY, 3)).toEqual({ kind: "move_agenda_item", item_id: 3, parent: 2, index: 0 });
    expect(ids(applied(FAMILY, indent(FAMILY, 3)!))).toEqual([1, 4, 5, 2, 3]);
  });

  it("do not indent the first item, a sub-item, or an item with sub-items", () => {
    expect(indent(FAMILY, 1)).toBeNull();
    expect(indent(FAMILY, 4)).toBeNull();
    const second = agenda([
      [2, null],
      [1, null],
      [4, 1],
    ]);
    expect(indent(second, 1)).toBeNull();
  });

  it("outdent a sub-item to the top level right after its parent's family", () => {
    expect(outdent(FAMILY, 4)).toEqual({ kind: "move_agenda_item", item_id: 4, parent: null, index: 1 });
    expect(ids(applied(FAMILY, outdent(FAMILY, 4)!))).toEqual([1, 5, 4, 2, 3]);
    expect(ids(applied(FAMILY, outdent(FAMILY, 5)!))).toEqual([1, 4, 5, 2, 3]);
    expect([...agendaNumbers(applied(FAMILY, outdent(FAMILY, 5)!)).values()]).toEqual(["1", "1.1", "2", "3", "4"]);
    expect(outdent(FAMILY, 2)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { assignSlots } from '../../lib/inbox/row-slots';

describe("the list's row elements (slots)", () => {
  it.each([
    { what: 'numbers the first rows from zero, in order', previous: {}, ids: ['a', 'b', 'c'], keep: null, slots: { a: 0, b: 1, c: 2 } },
    {
      what: 'keeps each staying row on its element whatever its place on screen',
      previous: { a: 0, b: 1, c: 2 },
      ids: ['c', 'a', 'b'],
      keep: null,
      slots: { a: 0, b: 1, c: 2 },
    },
    {
      // A message to "x" brings it to the top; "c", last in the page, leaves.
      what: 'gives a conversation coming onto the screen the element of the one it pushed off',
      previous: { a: 0, b: 1, c: 2 },
      ids: ['x', 'a', 'b'],
      keep: null,
      slots: { x: 2, a: 0, b: 1 },
    },
    {
      // a, b and c left: x, y, z take 0, 1, 2; w gets 4 (3 is d's).
      what: 'hands freed elements out lowest first, then new ones no row of the last render had',
      previous: { a: 0, b: 1, c: 2, d: 3 },
      ids: ['d', 'x', 'y', 'z', 'w'],
      keep: null,
      slots: { d: 3, x: 0, y: 1, z: 2, w: 4 },
    },
    {
      // c (focused) left: its element goes with it, x gets one of its own.
      what: "never gives the focused row's element to another conversation, even after it left",
      previous: { a: 0, b: 1, c: 2 },
      ids: ['x', 'a', 'b'],
      keep: 'c',
      slots: { x: 3, a: 0, b: 1 },
    },
    {
      what: 'lets the focused row keep its element while it stays, like any other',
      previous: { a: 0, b: 1 },
      ids: ['x', 'b'],
      keep: 'b',
      slots: { x: 0, b: 1 },
    },
  ])('$what', ({ previous, ids, keep, slots }) => {
    expect(Object.fromEntries(assignSlots(new Map(Object.entries(previous)), ids, keep))).toEqual(slots);
  });

  it("gives every row in the page its own element, and the focused row's to no one", () => {
    let previous = new Map<string, number>();
    let focusedLeft = 0;
    for (let step = 0; step < 50; step++) {
      const ids = Array.from({ length: 8 }, (_, i) => `c${(step * 3 + i * 7) % 20}`).filter((id, i, all) => all.indexOf(id) === i);
      // Every other step the focus is on a row that leaves: its element is no one else's.
      const keep = step % 2 ? null : ([...previous.keys()].find((id) => !ids.includes(id)) ?? null);
      const next = assignSlots(previous, ids, keep);
      expect(new Set(next.values()).size).toBe(ids.length);
      expect([...next.keys()].sort()).toEqual([...ids].sort());
      if (keep) {
        expect([...next.values()]).not.toContain(previous.get(keep));
        focusedLeft++;
      }
      previous = next;
    }
    expect(focusedLeft).toBeGreaterThan(10);
  });
});

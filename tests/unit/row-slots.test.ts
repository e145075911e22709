import { describe, expect, it } from 'vitest';
import { assignSlots } from '../../lib/inbox/row-slots';

const slots = (entries: Array<[string, number]>) => new Map(entries);

describe("the list's row elements (slots)", () => {
  it('numbers the first rows from zero, in order', () => {
    expect([...assignSlots(new Map(), ['a', 'b', 'c'])]).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('keeps each staying row on its element whatever its place on screen', () => {
    const next = assignSlots(
      slots([
        ['a', 0],
        ['b', 1],
        ['c', 2],
      ]),
      ['c', 'a', 'b'],
    );
    expect(Object.fromEntries(next)).toEqual({ a: 0, b: 1, c: 2 });
  });

  it('gives a conversation coming onto the screen the element of the one it pushed off', () => {
    // A message to "x" brings it to the top; "c", last in the page, leaves.
    const next = assignSlots(
      slots([
        ['a', 0],
        ['b', 1],
        ['c', 2],
      ]),
      ['x', 'a', 'b'],
    );
    expect(Object.fromEntries(next)).toEqual({ x: 2, a: 0, b: 1 });
  });

  it('hands freed elements out lowest first, then new ones no row of the last render had', () => {
    const next = assignSlots(
      slots([
        ['a', 0],
        ['b', 1],
        ['c', 2],
        ['d', 3],
      ]),
      ['d', 'x', 'y', 'z', 'w'],
    );
    // a, b and c left: x, y, z take 0, 1, 2; w gets 4 (3 is d's).
    expect(Object.fromEntries(next)).toEqual({ d: 3, x: 0, y: 1, z: 2, w: 4 });
  });

  it("never gives the focused row's element to another conversation, even after it left", () => {
    const next = assignSlots(
      slots([
        ['a', 0],
        ['b', 1],
        ['c', 2],
      ]),
      ['x', 'a', 'b'],
      'c',
    );
    // c (focused) left: its element goes with it, x gets one of its own.
    expect(next.get('x')).toBe(3);
    expect([...next.values()]).not.toContain(2);
  });

  it('lets the focused row keep its element while it stays, like any other', () => {
    const next = assignSlots(
      slots([
        ['a', 0],
        ['b', 1],
      ]),
      ['x', 'b'],
      'b',
    );
    expect(Object.fromEntries(next)).toEqual({ x: 0, b: 1 });
  });

  it('gives every row in the page its own element', () => {
    let previous = new Map<string, number>();
    for (let step = 0; step < 50; step++) {
      const ids = Array.from({ length: 8 }, (_, i) => `c${(step * 3 + i * 7) % 20}`).filter((id, i, all) => all.indexOf(id) === i);
      previous = assignSlots(previous, ids, step % 4 ? null : ids[0]!);
      expect(new Set(previous.values()).size).toBe(ids.length);
      expect([...previous.keys()].sort()).toEqual([...ids].sort());
    }
  });
});

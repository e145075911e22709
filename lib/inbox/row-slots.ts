/**
 * Which element each row of the list uses (issue 34). The list keeps only the rows on screen in
 * the page; when a message brings a conversation onto the screen, another leaves it. Giving the
 * entering conversation the leaving one's element (its "slot") turns an unmount and a mount (the
 * browser removing one subtree, building, styling and laying out another) into a change of the
 * row's texts. A conversation keeps its slot while it stays in the page, so a row moving within
 * the screen keeps its element too. Pure, so it is tested without a browser.
 */

/**
 * The slot of each of `ids` (the conversations in the page now), given the slots of the last
 * render: the conversations still in the page keep theirs, the entering ones take the slots of
 * those that left (lowest first, in `ids`' order), then slots never used in the last render.
 * `keep`: a conversation whose element must not go to another (the row holding the keyboard
 * focus: the focus would move to another conversation unseen); when it has left the page its slot
 * stays empty for this render, so its element is removed as any other.
 * @example assignSlots(new Map([['a', 0], ['b', 1]]), ['c', 'b']) // c takes a's slot 0, b keeps 1
 */
export function assignSlots(previous: ReadonlyMap<string, number>, ids: readonly string[], keep: string | null = null): Map<string, number> {
  const next = new Map<string, number>();
  const taken = new Set<number>();
  for (const id of ids) {
    const slot = previous.get(id);
    if (slot === undefined) continue;
    next.set(id, slot);
    taken.add(slot);
  }
  const kept = keep === null || next.has(keep) ? undefined : previous.get(keep);
  if (kept !== undefined) taken.add(kept);
  const free = [...previous.values()].filter((slot) => !taken.has(slot)).sort((a, b) => a - b);
  let unused = 0;
  for (const id of ids) {
    if (next.has(id)) continue;
    let slot = free.shift();
    if (slot === undefined) {
      while (taken.has(unused)) unused++; // every slot of the last render is taken by now
      slot = unused;
    }
    next.set(id, slot);
    taken.add(slot);
  }
  return next;
}

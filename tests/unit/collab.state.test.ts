import { describe, expect, it } from 'vitest';
import { applyTyping, applyViewing, collisionNotice, createTypingNotifier, emptyCollab, typingIn } from '@/lib/collab/state';

describe('typing notifier (composer)', () => {
  it('sends start at most every 1.5 s, and stop on clear, blur and send', () => {
    let t = 0;
    const sent: Array<[number, boolean]> = [];
    const n = createTypingNotifier(
      (typing) => sent.push([t, typing]),
      () => t,
    );
    for (t = 0; t <= 4000; t += 250) n.input('hello'.slice(0, 1 + (t % 5)));
    expect(sent).toEqual([
      [0, true],
      [1500, true],
      [3000, true],
    ]);
    n.input('');
    n.input('');
    expect(sent.at(-1)).toEqual([4250, false]);
    expect(sent.filter(([, typing]) => !typing)).toHaveLength(1);
    t = 5000;
    n.input('again');
    n.blur();
    n.sent();
    expect(sent.slice(-2)).toEqual([
      [5000, true],
      [5000, false],
    ]);
  });
});

describe('collaboration state', () => {
  const bob = { conversationId: 'c1', agentId: 'bob', displayName: 'Bob' };
  it('clears a typing indicator 3 s after its last event, or at once on stop', () => {
    let s = applyTyping(emptyCollab(), { ...bob, typing: true }, 1000);
    expect(typingIn(s, 'c1', 3900).map((t) => t.displayName)).toEqual(['Bob']);
    expect(typingIn(s, 'c1', 4001)).toEqual([]);
    s = applyTyping(s, { ...bob, typing: false }, 2000);
    expect(typingIn(s, 'c1', 2001)).toEqual([]);
  });
  it('warns of a colleague typing before one viewing, and never of myself', () => {
    let s = applyViewing(emptyCollab(), {
      conversationId: 'c1',
      agents: [
        { agentId: 'bob', displayName: 'Bob' },
        { agentId: 'me', displayName: 'Me' },
      ],
    });
    expect(collisionNotice(s, 'c1', 'me', 0)).toEqual({ kind: 'viewing', names: ['Bob'] });
    s = applyTyping(s, { ...bob, typing: true }, 0);
    expect(collisionNotice(s, 'c1', 'me', 100)).toEqual({ kind: 'typing', names: ['Bob'] });
    expect(collisionNotice(s, 'c1', 'bob', 100)).toEqual({ kind: 'viewing', names: ['Me'] }); // Bob is not warned of his own typing
  });
});

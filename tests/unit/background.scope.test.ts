import { describe, expect, it, vi } from 'vitest';
import { createDeliveryScope } from '@/lib/background/scope';
import type { DeliveryScope } from '@/lib/background/links/realtime';
import type { RoutingOverview } from '@/lib/contract/routing';
import { emptyInbox, type InboxState } from '@/lib/inbox/state';

const me = { id: 'a1', organisationId: 'o1' };
const team = (id: string, members: string[]) => ({ id, members: members.map((agentId) => ({ agentId })) }) as unknown as RoutingOverview['teams'][number];
/** An inbox holding conversations with these scope keys. */
const inboxWith = (keys: Record<string, string>): InboxState => {
  const state = emptyInbox();
  return { ...state, conversations: Object.fromEntries(Object.entries(keys).map(([id, scopeKey]) => [id, { id, scopeKey }])) } as unknown as InboxState;
};

function tracker(keys: Record<string, string> = {}) {
  const scope = createDeliveryScope({ inbox: async () => inboxWith(keys) });
  const heard: DeliveryScope[] = [];
  scope.follow((s) => heard.push(s));
  scope.setAgent(me);
  return { scope, heard, last: async () => (await vi.waitFor(() => expect(heard.length).toBeGreaterThan(0)), heard.at(-1)!) };
}

describe('the delivery scope the worker asks for', () => {
  it('is the agent’s own and its teams’ queues; the organisation’s queue until teams exist; every queue when in no team', async () => {
    const { scope } = tracker();
    expect(scope.current().keys).toEqual(['agent:a1', 'queue:org:o1']);
    scope.setTeams([team('t1', ['a1']), team('t2', ['b2'])]);
    expect(scope.current().keys).toEqual(['agent:a1', 'queue:t1']);
    scope.setTeams([team('t1', ['b2']), team('t2', ['b2'])]);
    expect(scope.current().keys).toEqual(['agent:a1', 'queue:org:o1', 'queue:t1', 'queue:t2']);
  });

  it('asks for the whole organisation while any page holds it or the badge counts everything', async () => {
    const { scope } = tracker();
    const panel = scope.hold();
    const options = scope.hold();
    panel();
    panel(); // a release counts once
    expect(scope.current().whole).toBe(true);
    options();
    expect(scope.current().whole).toBe(false);
    scope.setBadgeAll(true);
    expect(scope.current().whole).toBe(true);
  });

  it('binds open and CRM-shown conversations by id only when the scope does not hold them', async () => {
    vi.useFakeTimers();
    try {
      const { scope, heard } = tracker({ mine: 'agent:a1', colleagues: 'agent:b2', queued: 'queue:org:o1' });
      scope.setOpen('colleagues');
      scope.setShown(['mine', 'queued', 'unknown']);
      await vi.advanceTimersByTimeAsync(400);
      // One settled change for all of them, the unknown one too (its scope is not known yet).
      expect(heard.map((s) => s.extra)).toEqual([['colleagues', 'unknown']]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says a move enters the scope only from outside it, and not while the whole organisation comes anyway', () => {
    const { scope } = tracker();
    expect(scope.enters('agent:b2', 'agent:a1')).toBe(true);
    expect(scope.enters(undefined, 'agent:a1')).toBe(true);
    expect(scope.enters('queue:org:o1', 'agent:a1')).toBe(false); // was in the scope already
    expect(scope.enters('agent:a1', 'agent:b2')).toBe(false); // leaving
    const release = scope.hold();
    expect(scope.enters('agent:b2', 'agent:a1')).toBe(false);
    release();
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { browser, type Browser } from 'wxt/browser';
import { createDeliveryScope, serveWholeInbox } from '@/lib/background/scope';
import { WHOLE_INBOX_PORT } from '@/lib/messaging/protocol';
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

  it('a hostile CRM page listing thousands of conversations binds at most 100 besides the open one, and changes the channel at most every 300 ms', async () => {
    vi.useFakeTimers();
    try {
      const ids = Array.from({ length: 5000 }, (_, i) => `c${i}`);
      const { scope, heard } = tracker(Object.fromEntries(ids.map((id) => [id, 'agent:b2'])));
      scope.setOpen('open-one');
      // A page redrawing its numbers every millisecond for a second.
      for (let ms = 0; ms < 1000; ms++) {
        scope.setShown(ms % 2 ? ids : ids.slice().reverse());
        await vi.advanceTimersByTimeAsync(1);
      }
      await vi.advanceTimersByTimeAsync(400);
      expect(heard.length).toBeGreaterThan(0);
      expect(heard.length).toBeLessThanOrEqual(5);
      for (const s of heard) {
        expect(s.extra).toHaveLength(100);
        expect(s.extra[0]).toBe('open-one');
      }
    } finally {
      vi.useRealTimers();
    }
  });
});

/** `WHOLE_INBOX_PORT` asks for the organisation's whole stream: only this extension's own pages may hold it. */
describe('Who may hold the whole inbox', () => {
  afterEach(() => vi.restoreAllMocks());
  type Listener = (port: Browser.runtime.Port) => void;
  const port = (sender: Browser.runtime.MessageSender) => {
    const onDisconnect: Array<() => void> = [];
    return {
      name: WHOLE_INBOX_PORT,
      sender,
      disconnected: false,
      disconnect() {
        this.disconnected = true;
      },
      onDisconnect: { addListener: (fn: () => void) => onDisconnect.push(fn) },
      close: () => onDisconnect.forEach((fn) => fn()),
    };
  };

  it('a CRM page’s content script, another extension or a web page is refused; the side panel holds it until it goes', () => {
    let listener: Listener | null = null;
    vi.spyOn(browser.runtime, 'onConnect', 'get').mockReturnValue({ addListener: (fn: Listener) => (listener = fn) } as never);
    const { scope } = tracker();
    serveWholeInbox(scope);
    const own = browser.runtime.getURL('/');
    const refused = [
      { id: browser.runtime.id, url: 'https://crm.example.com/contacts', tab: { id: 1 } }, // our content script on a CRM page
      { id: 'another-extension', url: `chrome-extension://another-extension/sidepanel.html` },
      { id: browser.runtime.id, url: `https://evil.example/${own}` },
      { url: own }, // no extension id: a web page through externally_connectable would have none
    ];
    for (const sender of refused) {
      const p = port(sender as never);
      listener!(p as never);
      expect([sender, p.disconnected, scope.current().whole]).toEqual([sender, true, false]);
    }
    const panel = port({ id: browser.runtime.id, url: `${own}sidepanel.html` });
    listener!(panel as never);
    expect([panel.disconnected, scope.current().whole]).toEqual([false, true]);
    panel.close();
    expect(scope.current().whole).toBe(false);
  });
});

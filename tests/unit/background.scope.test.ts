import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser, type Browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createDeliveryScope, serveWholeInbox } from '@/lib/background/scope';
import { WHOLE_INBOX_PORT } from '@/lib/messaging/protocol';
import type { DeliveryScope } from '@/lib/background/links/realtime';
import type { RoutingOverview } from '@/lib/contract/routing';
import { emptyInbox, type InboxState } from '@/lib/inbox/state';
import { routingItem } from '@/lib/storage/items';

const me = { id: 'a1', organisationId: 'o1' };
const team = (id: string, members: string[]) => ({ id, members: members.map((agentId) => ({ agentId })) }) as unknown as RoutingOverview['teams'][number];
/** Routing's overview as the worker stores it (`routingItem`): the one place the agent's teams are kept. */
const teamsAre = (...teams: RoutingOverview['teams']) => routingItem.setValue({ teams, agents: [] });
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
  beforeEach(() => fakeBrowser.reset());

  it('is the agent’s own and its teams’ queues; the organisation’s queue until teams exist; every queue when in no team', async () => {
    const { scope } = tracker();
    expect((await scope.current()).keys).toEqual(['agent:a1', 'queue:org:o1']);
    await teamsAre(team('t1', ['a1']), team('t2', ['b2']));
    await vi.waitFor(async () => expect((await scope.current()).keys).toEqual(['agent:a1', 'queue:t1']));
    await teamsAre(team('t1', ['b2']), team('t2', ['b2']));
    await vi.waitFor(async () => expect((await scope.current()).keys).toEqual(['agent:a1', 'queue:org:o1', 'queue:t1', 'queue:t2']));
  });

  it('follows a team change through routing’s overview alone: the channel is replaced and a move into the new queue enters', async () => {
    await teamsAre(team('t1', ['a1']), team('t2', ['b2']));
    const { scope, heard, last } = tracker();
    expect((await last()).keys).toEqual(['agent:a1', 'queue:t1']);
    // An admin moves the agent from t1 to t2: the worker reads routing again (team:changed), nothing else is told.
    await teamsAre(team('t1', ['b2']), team('t2', ['a1', 'b2']));
    await vi.waitFor(() => expect(heard.at(-1)!.keys).toEqual(['agent:a1', 'queue:t2']));
    expect(await scope.current()).toEqual(heard.at(-1));
    expect(await scope.enters('queue:t1', 'queue:t2')).toBe(true);
    expect(await scope.enters('queue:t2', 'queue:t1')).toBe(false);
    // Signed out (the overview is cleared): no team, the organisation's queue again.
    await routingItem.setValue(null);
    await vi.waitFor(() => expect(heard.at(-1)!.keys).toEqual(['agent:a1', 'queue:org:o1']));
  });

  it('asks for the whole organisation while any page holds it or the badge counts everything', async () => {
    const { scope } = tracker();
    const panel = scope.hold();
    const options = scope.hold();
    panel();
    panel(); // a release counts once
    expect((await scope.current()).whole).toBe(true);
    options();
    expect((await scope.current()).whole).toBe(false);
    scope.setBadgeAll(true);
    expect((await scope.current()).whole).toBe(true);
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

  it('says a move enters the scope only from outside it, and not while the whole organisation comes anyway', async () => {
    const { scope } = tracker();
    expect(await scope.enters('agent:b2', 'agent:a1')).toBe(true);
    expect(await scope.enters(undefined, 'agent:a1')).toBe(true);
    expect(await scope.enters('queue:org:o1', 'agent:a1')).toBe(false); // was in the scope already
    expect(await scope.enters('agent:a1', 'agent:b2')).toBe(false); // leaving
    const release = scope.hold();
    expect(await scope.enters('agent:b2', 'agent:a1')).toBe(false);
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

  it('a CRM page’s content script, another extension or a web page is refused; the side panel holds it until it goes', async () => {
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
      expect([sender, p.disconnected, (await scope.current()).whole]).toEqual([sender, true, false]);
    }
    const panel = port({ id: browser.runtime.id, url: `${own}sidepanel.html` });
    listener!(panel as never);
    expect([panel.disconnected, (await scope.current()).whole]).toEqual([false, true]);
    panel.close();
    expect((await scope.current()).whole).toBe(false);
  });
});

import { browser, type Browser } from 'wxt/browser';
import { scopeKeys } from '../contract/scope';
import type { InboxState } from '../inbox/state';
import { WHOLE_INBOX_PORT } from '../messaging/protocol';
import { routingItem } from '../storage/items';
import { mirror } from '../storage/mirror';
import type { DeliveryScope } from './links/realtime';

/** Realtime's `in` takes at most 100 values: open and shown conversations beyond the scope, the first 100. */
const EXTRA_MAX = 100;
/** Scope changes settle this long before the channel is replaced (a list scrolled, a CRM page redrawn). */
const SETTLE_MS = 300;

/**
 * The agent's delivery scope as this worker sees it (docs/delivery-scope.md): the keys of its
 * scope (its own, its teams' queues, the organisation's queue; lib/contract/scope.ts, as the server
 * decides them), the whole organisation while a page shows more than the scope (it holds
 * `WHOLE_INBOX_PORT`) or the toolbar badge counts everything, and the conversations open or shown
 * on a CRM page that the scope does not hold. It outlives a rebuild of the connections: the
 * controller of the moment follows it.
 *
 * The agent's teams are read from routing's overview (`routingItem`, the one copy the worker keeps
 * of them) each time the keys are needed, and a change of it settles the scope again: nothing here
 * holds a second copy that could fall behind it.
 */
export function createDeliveryScope(deps: { inbox(): Promise<InboxState> }) {
  const routing = mirror(routingItem);
  let agent: { id: string; organisationId: string } | null = null;
  let holders = 0;
  let badgeAll = false;
  let open: string | null = null;
  let shown: string[] = [];
  let extra: string[] = [];
  let listener: ((scope: DeliveryScope) => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const keys = async (): Promise<string[]> => {
    const me = agent;
    if (!me) return [];
    const teams = (await routing())?.teams ?? [];
    return scopeKeys(
      me.id,
      me.organisationId,
      teams.map((t) => ({ id: t.id, member: t.members.some((m) => m.agentId === me.id) })),
    );
  };
  const current = async (): Promise<DeliveryScope> => ({ keys: await keys(), whole: holders > 0 || badgeAll, extra });

  /** Open and shown conversations whose scope (as the inbox last heard it) is not the agent's. */
  const outside = async (): Promise<string[]> => {
    const [mine, state] = await Promise.all([keys().then((k) => new Set(k)), deps.inbox()]);
    const ids = [...new Set([...(open ? [open] : []), ...shown])];
    return ids.filter((id) => !mine.has(state.conversations[id]?.scopeKey ?? '')).slice(0, EXTRA_MAX);
  };
  const settle = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void outside()
        .then((ids) => {
          extra = ids;
          return current();
        })
        .then((scope) => listener?.(scope));
    }, SETTLE_MS);
  };
  // The teams changed (read again, or a colleague's change told): the keys are read again from there.
  routingItem.watch(() => settle());

  return {
    current,
    /** The controller of the moment hears every change (a rebuilt one replaces the last). */
    follow(fn: (scope: DeliveryScope) => void): void {
      listener = fn;
    },
    /** Whether a conversation moving from one key to another enters the scope (its missed messages must be caught up). */
    async enters(from: string | undefined, to: string | undefined): Promise<boolean> {
      if (from === to || to === undefined || holders > 0 || badgeAll) return false;
      const mine = await keys();
      return mine.includes(to) && (from === undefined || !mine.includes(from));
    },
    setAgent(value: { id: string; organisationId: string } | null): void {
      agent = value;
      settle();
    },
    setBadgeAll(value: boolean): void {
      badgeAll = value;
      settle();
    },
    setOpen(id: string | null): void {
      open = id;
      settle();
    },
    setShown(ids: string[]): void {
      shown = ids;
      settle();
    },
    /** A conversation's scope moved: one open or shown may now need (or no longer need) its own binding. */
    moved(conversationId: string): void {
      if (conversationId === open || shown.includes(conversationId)) settle();
    },
    /** A page shows more than the scope: the whole stream until the returned release (each once). */
    hold(): () => void {
      holders++;
      settle();
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        holders--;
        settle();
      };
    },
  };
}

/** Pages of this extension holding `WHOLE_INBOX_PORT`: the whole stream while any does. */
export function serveWholeInbox(scope: Pick<DeliveryScopeTracker, 'hold'>): void {
  browser.runtime.onConnect.addListener((port: Browser.runtime.Port) => {
    if (port.name !== WHOLE_INBOX_PORT) return;
    // Only this extension's own pages (a content script on a CRM page is not one).
    if (port.sender?.id !== browser.runtime.id || !port.sender.url?.startsWith(browser.runtime.getURL('/'))) return port.disconnect();
    port.onDisconnect.addListener(scope.hold());
  });
}

export type DeliveryScopeTracker = ReturnType<typeof createDeliveryScope>;

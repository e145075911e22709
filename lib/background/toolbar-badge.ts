import { browser } from 'wxt/browser';
import type { OverallStatus } from '../connection/status';
import type { BadgeScope } from '../inbox/state';

/** Badge text and colour for the toolbar icon: total unread, and whether the inbox is live. */
export function badgeFor(unread: number, status: OverallStatus): { text: string; color: string } {
  const text = unread > 999 ? '999+' : unread > 0 ? String(unread) : '';
  if (status === 'signed-out') return { text: '', color: '#6b7280' };
  if (status === 'live') return { text, color: '#16a34a' };
  // Not live: grey, and a mark even with nothing unread so the agent knows updates may lag.
  return { text: text || '!', color: '#6b7280' };
}

/** The icon's tooltip: what the number counts (the agent chose it), so nobody wonders. */
export function badgeTitle(unread: number, scope: BadgeScope, status: OverallStatus): string {
  if (status === 'signed-out') return 'Switchboard: signed out';
  const where = scope === 'all' ? 'all open conversations' : 'your and unassigned open conversations';
  const count = unread === 0 ? `Nothing unread in ${where}` : `${unread} unread in ${where}`;
  return status === 'live' ? `Switchboard: ${count}` : `Switchboard: ${count} (not live: updates may lag)`;
}

/** What the icon shows now: each part is set only when it changes (each call is a round trip to the browser). */
const shown = { text: null as string | null, color: null as string | null, title: null as string | null };

/** Updates the toolbar icon only where what it shows changes (it is called on every inbox change). */
export async function showBadge(unread: number, scope: BadgeScope, status: OverallStatus): Promise<void> {
  const { text, color } = badgeFor(unread, status);
  const title = badgeTitle(unread, scope, status);
  const action = browser.action ?? (browser as unknown as { browserAction: typeof browser.action }).browserAction;
  const calls: Promise<void>[] = [];
  if (text !== shown.text) calls.push(action.setBadgeText({ text }));
  if (color !== shown.color) calls.push(action.setBadgeBackgroundColor({ color }));
  if (title !== shown.title) calls.push(action.setTitle({ title }));
  Object.assign(shown, { text, color, title });
  await Promise.all(calls);
}

/**
 * At most one redraw a second: a change after a quiet second is drawn at once, a burst's changes
 * at the end of the second (each redraw is two calls into the browser, the text and the title:
 * at 10 messages/s, four a second were a fifth of the worker's script time per message).
 */
export const BADGE_EVERY_MS = 1000;

/**
 * Keeps the toolbar icon on the inbox's unread total and the connection's state, without storage
 * reads: the count follows every inbox patch (throttled), the colour every status change.
 */
export function followToolbarBadge(deps: {
  onInboxChange(listener: () => void): unknown;
  onStatus(listener: (overall: OverallStatus) => void): unknown;
  currentStatus(): Promise<OverallStatus>;
  /** What the agent's setting says to count, now and as it changes. */
  currentScope(): Promise<BadgeScope>;
  onScope(listener: (scope: BadgeScope) => void): unknown;
  unread(scope: BadgeScope): Promise<number>;
}): void {
  let overall: OverallStatus | null = null;
  let scope: BadgeScope | null = null;
  const refresh = async () => {
    overall ??= await deps.currentStatus();
    scope ??= await deps.currentScope();
    await showBadge(await deps.unread(scope), scope, overall);
  };
  let timer: ReturnType<typeof setTimeout> | null = null;
  let drawn = -Infinity;
  const draw = () => {
    timer = null;
    drawn = Date.now();
    void refresh();
  };
  deps.onInboxChange(() => {
    if (timer) return; // a redraw is due: it reads the count as it is then
    const wait = drawn + BADGE_EVERY_MS - Date.now();
    if (wait <= 0) draw();
    else timer = setTimeout(draw, wait);
  });
  deps.onStatus((status) => {
    overall = status;
    void refresh();
  });
  deps.onScope((changed) => {
    scope = changed;
    void refresh();
  });
  void refresh();
}

import { browser } from 'wxt/browser';
import type { OverallStatus } from '../connection/status';

/** Badge text and colour for the toolbar icon: total unread, and whether the inbox is live. */
export function badgeFor(unread: number, status: OverallStatus): { text: string; color: string } {
  const text = unread > 999 ? '999+' : unread > 0 ? String(unread) : '';
  if (status === 'signed-out') return { text: '', color: '#6b7280' };
  if (status === 'live') return { text, color: '#16a34a' };
  // Not live: grey, and a mark even with nothing unread so the agent knows updates may lag.
  return { text: text || '!', color: '#6b7280' };
}

let shown = '';

/** Updates the toolbar icon only when what it shows changes (it is called on every inbox change). */
export async function showBadge(unread: number, status: OverallStatus): Promise<void> {
  const { text, color } = badgeFor(unread, status);
  if (`${text}|${color}` === shown) return;
  shown = `${text}|${color}`;
  const action = browser.action ?? (browser as unknown as { browserAction: typeof browser.action }).browserAction;
  await action.setBadgeText({ text });
  await action.setBadgeBackgroundColor({ color });
}

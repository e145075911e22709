import { browser, type Browser } from 'wxt/browser';
import { badgesFor, conversationsByPhone, type BadgeInfo } from '../overlay/badge-info';
import type { InboxPatch } from '../inbox/state';
import { onInboxPatch, readInbox } from '../inbox/store';
import { OVERLAY_PORT, type OverlayPortNotice } from '../messaging/protocol';
import { mirror } from '../storage/mirror';
import { overlayPortRequest } from '../messaging/schemas';
import { agentItem, collabItem, teamItem } from '../storage/items';

interface Page {
  phones: string[];
  /** What the page was last sent, to send only changes. */
  sent: SentBadges;
}

/** The badges a page was last sent (by number, as JSON), and whether signed in; `badges` null: send them all next. */
export interface SentBadges {
  signedIn: boolean | null;
  badges: Map<string, string> | null;
}

/**
 * The notice that brings a page from what it was sent to `badges`: all of them when the page needs
 * them all (new, reported other numbers, signed in or out), else only those that changed; null
 * when none did. Updates `sent`.
 */
export function badgeNotice(sent: SentBadges, signedIn: boolean, badges: Record<string, BadgeInfo>): OverlayPortNotice | null {
  const complete = sent.badges === null || sent.signedIn !== signedIn;
  const json = new Map(Object.entries(badges).map(([phone, badge]) => [phone, JSON.stringify(badge)]));
  const before = sent.badges;
  const changed = complete ? badges : Object.fromEntries(Object.entries(badges).filter(([phone]) => before?.get(phone) !== json.get(phone)));
  sent.badges = json;
  sent.signedIn = signedIn;
  if (!complete && Object.keys(changed).length === 0) return null;
  return { type: 'badges', signedIn, badges: changed, complete };
}

/**
 * Serves the badges of every open CRM page over its port: the numbers the page reports come in
 * validated, their badges go out whenever the inbox, the typing state or the sign-in changes.
 * Ports are in-memory on purpose: when Chrome stops this worker they close, and pages reconnect.
 */
export function serveOverlayPages(opts: { onConversations?: (conversationIds: string[]) => void } = {}) {
  const pages = new Map<Browser.runtime.Port, Page>();
  /** The conversations behind the badges as last pushed: a change to one of them, or its removal, redraws. */
  let behind = new Set<string>();
  /** Every number the open pages show (kept as pages report theirs). */
  let watched = new Set<string>();
  const rewatch = () => void (watched = new Set([...pages.values()].flatMap((p) => p.phones)));
  let scheduled = false;
  const collab = mirror(collabItem);
  const agentNow = mirror(agentItem);
  const team = mirror(teamItem);

  const push = async (only?: Browser.runtime.Port) => {
    const [inbox, collabState, agent, teamState] = await Promise.all([readInbox(), collab(), agentNow(), team()]);
    const names = new Map(teamState.agents.map((a) => [a.id, a.displayName]));
    const index = conversationsByPhone(inbox);
    const now = Date.now();
    // The conversations behind every page's badges: their typing and viewing are what badges show.
    if (!only) {
      behind = new Set([...pages.values()].flatMap((p) => p.phones.flatMap((phone) => (index.get(phone) ?? []).map((c) => c.id))));
      opts.onConversations?.([...behind]);
    }
    for (const [port, page] of pages) {
      if (only && port !== only) continue;
      const notice = badgeNotice(page.sent, !!agent, agent ? badgesFor(page.phones, index, collabState, agent.id, now, names) : {});
      if (!notice) continue;
      try {
        port.postMessage(notice);
      } catch {
        pages.delete(port);
        rewatch();
      }
    }
  };
  const pushAll = () => {
    if (scheduled || pages.size === 0) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      void push();
    });
  };

  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== OVERLAY_PORT) return;
    // Only this extension's content scripts, in a tab.
    if (port.sender?.id !== browser.runtime.id || !port.sender.tab) return port.disconnect();
    const page: Page = { phones: [], sent: { signedIn: null, badges: null } };
    pages.set(port, page);
    port.onMessage.addListener((raw) => {
      const request = overlayPortRequest.safeParse(raw);
      if (!request.success) return; // a page can say nothing we would act on wrongly; ignore it
      page.phones = request.data.phones;
      page.sent.badges = null; // other numbers: the page gets its badges whole
      rewatch();
      void push(port);
      pushAll(); // the set of watched conversations may have changed
    });
    port.onDisconnect.addListener(() => {
      pages.delete(port);
      rewatch();
      pushAll();
    });
  });

  // readInbox() is the worker's working copy, already holding the change. Only a change the pages
  // show is worth a pass over the inbox: most messages are for customers on no open page.
  onInboxPatch((patch) => {
    if (pages.size > 0 && touchesPages(patch, watched, behind)) pushAll();
  });
  collabItem.watch(pushAll);
  agentItem.watch(pushAll);

  return {
    /** Tells the pages of a site the agent turned off to remove their badges. */
    disableOrigin(origin: string) {
      for (const port of pages.keys()) {
        if (port.sender?.url && new URL(port.sender.url).origin === origin) {
          port.postMessage({ type: 'disable' } satisfies OverlayPortNotice);
          pages.delete(port);
          rewatch();
        }
      }
    },
  };
}

/** Whether an inbox patch changes a conversation of a number some page shows (or removes one behind a badge). */
export function touchesPages(patch: InboxPatch, phones: ReadonlySet<string>, behind: ReadonlySet<string>): boolean {
  return (
    patch.removedConversations.some((id) => behind.has(id)) || Object.values(patch.conversations).some((c) => behind.has(c.id) || phones.has(c.contact.phone))
  );
}

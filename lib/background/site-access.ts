import { browser } from 'wxt/browser';
import { enabledSitesItem } from '../storage/items';

/** The content script the built-in CRMs get from the manifest; other sites get it registered here. */
const CONTENT_SCRIPT = '/content-scripts/overlay.js' as '/background.js'; // WXT types list only the paths it knows
// The id predates the overlay's name: Chrome keeps registered scripts across updates, under this id.
const scriptId = (origin: string) => `crm-site:${origin}`;
const pattern = (origin: string) => `${origin}/*`;

/**
 * Turns the overlay on for a site. The permission must already be granted: the agent's page asked
 * for it (`permissions.request` needs the click that asked). Registers the content script for
 * future page loads and injects it into the site's tabs that are already open.
 */
export async function enableSite(origin: string): Promise<void> {
  if (!(await browser.permissions.contains({ origins: [pattern(origin)] }))) {
    throw new Error(`Switchboard may not run on ${origin}: allow it when the browser asks.`);
  }
  await register(origin);
  const sites = await enabledSitesItem.getValue();
  if (!sites.includes(origin)) await enabledSitesItem.setValue([...sites, origin].sort());
  const tabs = await browser.tabs.query({ url: pattern(origin) });
  await Promise.all(tabs.map((tab) => browser.scripting.executeScript({ target: { tabId: tab.id! }, files: [CONTENT_SCRIPT] }).catch(() => undefined)));
}

/** Turns the overlay off for a site: no more injection, and the permission is given back. */
export async function disableSite(origin: string): Promise<void> {
  await browser.scripting.unregisterContentScripts({ ids: [scriptId(origin)] }).catch(() => undefined);
  await enabledSitesItem.setValue((await enabledSitesItem.getValue()).filter((o) => o !== origin));
  await browser.permissions.remove({ origins: [pattern(origin)] }).catch(() => undefined);
}

/**
 * At worker start: registrations follow the stored list and the permissions the agent still
 * grants (a permission withdrawn in the browser's settings turns the site off).
 */
export async function reconcileSites(): Promise<void> {
  const sites = await enabledSitesItem.getValue();
  const keep: string[] = [];
  for (const origin of sites) {
    if (await browser.permissions.contains({ origins: [pattern(origin)] })) {
      await register(origin);
      keep.push(origin);
    } else await browser.scripting.unregisterContentScripts({ ids: [scriptId(origin)] }).catch(() => undefined);
  }
  if (keep.length !== sites.length) await enabledSitesItem.setValue(keep);
}

async function register(origin: string): Promise<void> {
  const id = scriptId(origin);
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [id] });
  if (existing.length) return;
  await browser.scripting.registerContentScripts([
    { id, matches: [pattern(origin)], js: [CONTENT_SCRIPT], runAt: 'document_idle', persistAcrossSessions: true },
  ]);
}

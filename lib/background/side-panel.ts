import { browser } from 'wxt/browser';

/** Firefox's sidebar, where the side panel lives there (not in Chrome's API types). */
export const firefoxSidebar = () => (browser as unknown as { sidebarAction?: { open(): Promise<void>; toggle(): Promise<void> } }).sidebarAction;

/**
 * Opens the side panel (only possible during a user gesture: a notification or badge click); if
 * the browser refuses, the inbox opens in a tab instead.
 */
export function openSidePanel(windowId?: number): Promise<unknown> {
  const sidebar = !browser.sidePanel ? firefoxSidebar() : undefined;
  if (sidebar) return sidebar.open().catch(() => browser.tabs.create({ url: browser.runtime.getURL('/sidepanel.html') }));
  const opened =
    windowId !== undefined ? browser.sidePanel.open({ windowId }) : browser.windows.getLastFocused().then((w) => browser.sidePanel.open({ windowId: w.id! }));
  return opened.catch(() => browser.tabs.create({ url: browser.runtime.getURL('/sidepanel.html') }));
}

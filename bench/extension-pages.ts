import type { BrowserContext, Page } from 'playwright-core';
import { BADGE_SELECTOR } from '../lib/overlay/badge-element';

/**
 * A CRM page (HubSpot's URL, served here) listing one customer per number of `phones` (as the CRM
 * shows them, e.g. `+1 (646) 555-2000`), open once the content script has put a badge on each.
 */
export async function openCrmPage(context: BrowserContext, phones: string[]): Promise<Page> {
  const html = `<!doctype html><table>${phones.map((p, k) => `<tr><td>Customer ${k}</td><td>${p}</td></tr>`).join('')}</table>`;
  await context.route('https://app.hubspot.com/bench-crm', (r) => r.fulfill({ contentType: 'text/html', body: html }));
  const crm = await context.newPage();
  await crm.goto('https://app.hubspot.com/bench-crm');
  await crm.waitForFunction(
    ({ selector, n }) => document.querySelectorAll(selector).length === n,
    { selector: BADGE_SELECTOR, n: phones.length },
    {
      timeout: 20_000,
    },
  );
  return crm;
}

/**
 * Notes in the side panel the first time each text matching `pattern` (a global RegExp source,
 * e.g. `\[sp:\d+\]`) appears on screen, against the load generator's clock; `seen()` reads the
 * notes: text → when (ms since the epoch). Bracket the texts: text nodes run together in textContent.
 */
export async function watchPanelText(panel: Page, pattern: string) {
  await panel.evaluate((source) => {
    const seen: Record<string, number> = {};
    (window as unknown as { __seen: typeof seen }).__seen = seen;
    const re = new RegExp(source, 'g');
    // Only what changed is read (added nodes, changed text): reading a whole list's text on every
    // mutation cost the measured page more than some of what is measured. (No named helper here:
    // the bench's transpiler would wrap it in one the page does not have.)
    new MutationObserver((mutations) => {
      const t = performance.timeOrigin + performance.now();
      for (const m of mutations) {
        const texts = m.type === 'characterData' ? [m.target.textContent] : [...m.addedNodes].map((n) => n.textContent);
        for (const text of texts) for (const found of text?.match(re) ?? []) seen[found] ??= t;
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, pattern);
  return { seen: () => panel.evaluate(() => (window as unknown as { __seen: Record<string, number> }).__seen) };
}

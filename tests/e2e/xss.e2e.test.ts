import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BADGE_SELECTOR } from '../../lib/overlay/badge-element';
import { badgeMarkup, badgeTip } from '../support/badges';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';

const BODY = `<img src=x onerror="document.title='pwned'"><script>alert(1)</script><b>bold?</b> "quotes" & ampersands`;
const NAME = `<svg onload="alert('name')"><i>Mallory</i>`;
const PHONE = '+14155550177';

/** Customer-controlled text in every place the extension shows it: text, never markup, never run. */
describe('Script and markup from customers stay inert text', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    ({ browser } = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email));
    // Observe what the worker hands to the notifications API (it renders text only, but what we pass must be the raw text).
    await browser.worker.evaluate(() => {
      const w = globalThis as unknown as { __notified: unknown[] };
      w.__notified = [];
      const create = chrome.notifications.create.bind(chrome.notifications) as (...args: unknown[]) => Promise<string>;
      (chrome.notifications as unknown as { create: unknown }).create = (...args: unknown[]) => {
        w.__notified.push(args[1]);
        return create(...args);
      };
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('in the side panel’s list and thread, in the notification, and on the CRM badge', async () => {
    const panel = await browser.page('sidepanel.html');
    const dialogs: string[] = [];
    panel.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await panel.locator('[data-status="live"]').waitFor({ timeout: 10_000 });
    await ctx.stack.inbound({ from: PHONE, to: ctx.org.number, body: BODY, profileName: NAME });

    const row = panel.locator('.conversation').first();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.name').textContent()).toBe(NAME);
    expect(await row.locator('.preview').textContent()).toBe(BODY);

    await expect
      .poll(() => browser.worker.evaluate(() => (globalThis as unknown as { __notified: Array<{ title: string; message: string }> }).__notified), {
        timeout: 10_000,
      })
      .toEqual([expect.objectContaining({ title: NAME, message: BODY })]);

    await row.click();
    const bubble = panel.getByRole('list', { name: 'Messages' }).locator('li.inbound .body');
    await bubble.waitFor();
    expect(await bubble.textContent()).toBe(BODY);
    // The thread's heading is the customer's name as text (an admin's panel has the Floor's heading first).
    expect(await panel.getByRole('heading', { level: 2 }).filter({ hasNotText: 'Floor' }).first().textContent()).toBe(NAME);
    // Our own icons (lucide's, class `lucide`) are the only SVG; the customer's markup made no element.
    expect(await panel.locator('main img, main script, main b, main i, main svg:not(.lucide)').count()).toBe(0);
    expect(await panel.title()).not.toBe('pwned');

    // A CRM page showing the customer's number (the demo path the overlay runs on).
    const crm = await browser.context.newPage();
    crm.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await crm.route(`${ctx.stack.serverUrl}/demo/xss`, (route) =>
      route.fulfill({ contentType: 'text/html', body: `<!doctype html><title>CRM</title><table><tr><td>Mallory</td><td>${PHONE}</td></tr></table>` }),
    );
    await crm.goto(`${ctx.stack.serverUrl}/demo/xss`);
    const badge = crm.locator(`${BADGE_SELECTOR}[data-phone="${PHONE}"]`);
    await badge.waitFor({ timeout: 10_000 });
    await expect.poll(() => badgeTip(crm, PHONE), { timeout: 10_000 }).toBe(`${NAME}: ${BODY}\nUnassigned`);
    // The customer's text added no element anywhere on the page (nor inside the badge: DevTools' view).
    expect(await crm.evaluate(() => document.querySelectorAll('img, script').length)).toBe(0);
    expect((await badgeMarkup(crm, PHONE)).filter((name) => ['IMG', 'SCRIPT', 'B'].includes(name))).toEqual([]);
    expect(await crm.title()).toBe('CRM');
    await new Promise((r) => setTimeout(r, 300));
    expect(dialogs).toEqual([]);
  });
});

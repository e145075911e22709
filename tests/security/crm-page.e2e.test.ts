import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { badgesInside } from '../support/badges';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';

const KNOWN = '+14155550188';
const STRANGER = '+14155550199';
const OTHER_STRANGER = '+14155550166';
const NAME = 'Priya Raman';
const SECRET = 'my card ends in 4242';

/**
 * What a CRM page (or any script on it, or an XSS in the CRM) can do with the extension, in real
 * Chromium with the built extension: read what the badges hold, and click them by script. And what
 * a customer's file can do in the side panel.
 */
describe('A CRM page is not trusted; a customer’s file is not a page', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let browser: ExtensionBrowser;
  let crm: Page;

  beforeAll(async () => {
    await ctx.stack.inbound({ from: KNOWN, to: ctx.org.number, body: SECRET, profileName: NAME });
    ({ browser } = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email));
    crm = await browser.context.newPage();
    await crm.route(`${ctx.stack.serverUrl}/demo/hostile`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>CRM</title><table><tr><td>Known</td><td>${KNOWN}</td></tr><tr><td>New</td><td>${STRANGER}</td></tr><tr><td>Other</td><td>${OTHER_STRANGER}</td></tr></table>`,
      }),
    );
    await crm.goto(`${ctx.stack.serverUrl}/demo/hostile`);
    await crm.locator(`switchboard-badge[data-phone="${KNOWN}"][data-unread="1"]`).waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    await browser?.close();
  });

  const conversationsWith = async (phone: string) =>
    (await ctx.stack.db.query('select 1 from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = $1 and c.organisation_id = $2', [phone, ctx.org.id])).rowCount;

  it('a page script reads only data-phone, data-unread and data-typing: no name, no preview', async () => {
    const seen = await crm.evaluate(() => {
      const badge = document.querySelector('switchboard-badge')!;
      return {
        attributes: badge.getAttributeNames().sort(),
        shadowRoot: badge.shadowRoot === null ? 'unreachable' : 'open',
        text: badge.textContent,
        html: document.documentElement.outerHTML,
      };
    });
    expect(seen.attributes).toEqual(['data-phone', 'data-unread']);
    expect(seen.shadowRoot).toBe('unreachable');
    expect(seen.text).toBe('');
    expect(seen.html).not.toContain(NAME);
    expect(seen.html).not.toContain(SECRET);
    // The agent still sees it all (read here the way DevTools reads a closed root).
    const inside = (await badgesInside(crm)).find((b) => b.phone === KNOWN)!;
    expect(inside).toMatchObject({ closed: true, tip: `${NAME}: ${SECRET}`, label: expect.stringContaining(NAME) });
  });

  it('a scripted click() or synthetic event opens nothing and creates no conversation; the agent’s real click does', async () => {
    await crm.evaluate((phone) => {
      const badge = document.querySelector<HTMLElement>(`switchboard-badge[data-phone="${phone}"]`)!;
      badge.click();
      badge.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
      badge.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
      badge.focus();
    }, STRANGER);
    // The marker: a real click on another number does create its conversation. Requests from one
    // page are handled in order, so had the scripted ones done anything, it would show by then.
    await crm.locator(`switchboard-badge[data-phone="${OTHER_STRANGER}"]`).click();
    await expect.poll(() => conversationsWith(OTHER_STRANGER), { timeout: 10_000 }).toBe(1);
    expect(await conversationsWith(STRANGER)).toBe(0);
  });

  it('a customer’s HTML file is saved as a download, never opened in the extension’s origin', async () => {
    const messageSid = newSid('MM');
    const url = ctx.stack.twilioStandIn!.mediaUrl('html', messageSid);
    await ctx.stack.inbound({ messageSid, from: KNOWN, to: ctx.org.number, body: 'my invoice', media: [{ url, contentType: 'text/html' }] });
    await browser.worker.evaluate(() => chrome.storage.session.remove('openConversation'));
    const panel = await browser.page('sidepanel.html');
    await panel.getByRole('button', { name: new RegExp(NAME) }).click();
    const file = panel.getByRole('button', { name: /Download File \(text\/html\)/ });
    await file.waitFor({ timeout: 10_000 });
    const pagesBefore = browser.context.pages().length;
    const [download] = await Promise.all([panel.waitForEvent('download', { timeout: 10_000 }), file.click()]);
    expect(download.suggestedFilename()).toBe('attachment');
    expect(browser.context.pages().length).toBe(pagesBefore);
    expect(await panel.evaluate(() => (window as unknown as { __switchboardPwned?: boolean }).__switchboardPwned ?? false)).toBe(false);
    await panel.close();
  });
});

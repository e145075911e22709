import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { BADGE_SELECTOR } from '../../lib/overlay/badge-element';
import { badgesInside } from '../support/badges';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';
import { GUESSED_TAGS, hostilePage, type Catch } from '../support/hostile-page';

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
    await crm.locator(`${BADGE_SELECTOR}[data-phone="${KNOWN}"][data-unread="1"]`).waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    await browser?.close();
  });

  const conversationsWith = async (phone: string) =>
    (
      await ctx.stack.db.query('select 1 from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = $1 and c.organisation_id = $2', [
        phone,
        ctx.org.id,
      ])
    ).rowCount;

  it('a page script reads only data-phone, data-unread and data-typing: no name, no preview', async () => {
    const seen = await crm.evaluate((selector) => {
      const badge = document.querySelector(selector)!;
      return {
        attributes: badge.getAttributeNames().sort(),
        shadowRoot: badge.shadowRoot === null ? 'unreachable' : 'open',
        text: badge.textContent,
        html: document.documentElement.outerHTML,
      };
    }, BADGE_SELECTOR);
    expect(seen.attributes).toEqual(['data-phone', 'data-switchboard-badge', 'data-unread']);
    expect(seen.shadowRoot).toBe('unreachable');
    expect(seen.text).toBe('');
    expect(seen.html).not.toContain(NAME);
    expect(seen.html).not.toContain(SECRET);
    // The agent still sees it all (read here the way DevTools reads a closed root).
    const inside = (await badgesInside(crm)).find((b) => b.phone === KNOWN)!;
    expect(inside).toMatchObject({ closed: true, tip: `${NAME}: ${SECRET}\nUnassigned`, label: expect.stringContaining(NAME) });
  });

  it('a page that pre-defines the badge’s element with attachInternals, patches attachShadow, shadowRoot and ElementInternals, and watches every node, event, focus, caret and text never gets a badge’s shadow root, name or preview', async () => {
    const page = await browser.context.newPage();
    await page.route(`${ctx.stack.serverUrl}/demo/traps`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>CRM</title><script>(${String(hostilePage)})(${JSON.stringify([NAME, SECRET].map((s) => Buffer.from(s).toString('base64')))}, ${JSON.stringify(GUESSED_TAGS)})</script><table><tr><td>Known</td><td>${KNOWN}</td></tr></table>`,
      }),
    );
    await page.goto(`${ctx.stack.serverUrl}/demo/traps`);
    const badge = page.locator(`${BADGE_SELECTOR}[data-phone="${KNOWN}"][data-unread]`);
    await badge.waitFor({ timeout: 15_000 });
    const probe = () => page.evaluate(() => (window as unknown as { __probe(): Catch }).__probe());

    // The tooltip shows on hover and on keyboard focus: the page looks then too.
    await badge.hover();
    await probe();
    await page.mouse.click(1, 1);
    const focused = () => page.evaluate((phone) => document.activeElement?.getAttribute('data-phone') === phone, KNOWN);
    for (let i = 0; i < 10 && !(await focused()); i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe(true);
    await probe();
    // The agent's real click still opens the conversation.
    await browser.worker.evaluate(() => chrome.storage.session.remove('openConversation'));
    await badge.click();
    const conversation = (
      await ctx.stack.db.query<{ id: string }>('select c.id from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = $1', [KNOWN])
    ).rows[0]!.id;
    const openId = () => browser.worker.evaluate(async () => (await chrome.storage.session.get('openConversation')).openConversation);
    await expect.poll(openId, { timeout: 10_000 }).toBe(conversation);
    const caught = await probe();

    expect(caught.leaks).toEqual([]);
    // The traps were set and saw the badge's host: inserted, hovered, focused, clicked, hit.
    expect(caught.reached).toEqual(
      expect.arrayContaining([
        'MutationObserver',
        'document.activeElement',
        'focusin event target',
        'click event composedPath()',
        'pointerover event target',
        'elementsFromPoint',
      ]),
    );
    // The badge still shows the agent the name and the preview.
    expect((await badgesInside(page)).find((b) => b.phone === KNOWN)).toMatchObject({
      closed: true,
      tip: `${NAME}: ${SECRET}\nUnassigned`,
      label: expect.stringContaining(NAME),
    });
    await page.close();
  });

  it('a scripted click() or synthetic event opens nothing and creates no conversation; the agent’s real click does', async () => {
    await crm.evaluate(
      ({ selector, phone }) => {
        const badge = document.querySelector<HTMLElement>(`${selector}[data-phone="${phone}"]`)!;
        badge.click();
        badge.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
        badge.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
        badge.focus();
      },
      { selector: BADGE_SELECTOR, phone: STRANGER },
    );
    // The marker: a real click on another number does create its conversation. Requests from one
    // page are handled in order, so had the scripted ones done anything, it would show by then.
    await crm.locator(`${BADGE_SELECTOR}[data-phone="${OTHER_STRANGER}"]`).click();
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

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncResponse } from '../../lib/contract/api';
import { BADGE_SELECTOR } from '../../lib/overlay/badge-element';
import { badgesInside } from '../support/badges';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { api, connectSocket, type TestSocket } from '../support/stack';
import { useTestStack } from '../support/fixture';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'crm');
/** A site that is not a built-in CRM: the agent enables it. */
const OTHER_SITE = 'http://crm.internal.test';

interface FoundBadge {
  phone: string;
  unread: string;
  typing: boolean;
  conversation: boolean;
  /** What the badge sits right after: the text of the number, a link's text, an input's value. */
  after: string;
  tip: string;
  display: string;
}

/** Every badge on the page, in open shadow roots and same-origin iframes too, with what the agent sees inside. */
async function badgesOn(page: Page): Promise<FoundBadge[]> {
  const inside = await badgesInside(page);
  const tipOf = (phone: string) => inside.find((b) => b.phone === phone)?.tip ?? '';
  const outside = await page.evaluate((selector) => {
    const found: Array<Omit<FoundBadge, 'tip' | 'conversation'>> = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.matches(selector)) {
          const prev = el.previousSibling as (Node & Partial<HTMLInputElement>) | null;
          found.push({
            phone: (el as HTMLElement).dataset.phone!,
            unread: (el as HTMLElement).dataset.unread!,
            typing: el.hasAttribute('data-typing'),
            after:
              prev?.nodeName === 'INPUT'
                ? prev.value!
                : prev?.nodeName === 'LIGHTNING-FORMATTED-PHONE'
                  ? (prev as Element).getAttribute('value')!
                  : (prev?.textContent ?? ''),
            display: getComputedStyle(el).display,
          });
        }
        if (el.shadowRoot) walk(el.shadowRoot);
        if (el.tagName === 'IFRAME') {
          const doc = (el as HTMLIFrameElement).contentDocument;
          if (doc) walk(doc);
        }
      }
    };
    walk(document);
    return found;
  }, BADGE_SELECTOR);
  return outside.map((b) => ({ ...b, tip: tipOf(b.phone), conversation: !tipOf(b.phone).startsWith('Start WhatsApp conversation') }));
}

const phonesOf = (badges: FoundBadge[]) => badges.map((b) => b.phone).sort();

describe('CRM overlay: live badges next to phone numbers, in Chromium', () => {
  const ctx = useTestStack({ orgs: { org: 2 } });
  let browser: ExtensionBrowser;
  let options: Page;
  let panel: Page;
  let bob: TestSocket;
  const conversationOf = new Map<string, string>();

  const serve = async (url: string, fixture: string) => {
    const body = readFileSync(join(FIXTURES, fixture), 'utf8');
    await browser.context.route(`${url}**`, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body }));
  };
  const open = async (url: string) => {
    const page = await browser.context.newPage();
    await page.goto(url);
    return page;
  };
  const waitForBadges = async (page: Page, count: number) => {
    await expect.poll(async () => (await badgesOn(page)).length, { timeout: 10_000 }).toBe(count);
    return badgesOn(page);
  };

  beforeAll(async () => {
    const write = async (from: string, body: string, profileName: string) => {
      const res = await ctx.stack.inbound({ from: `whatsapp:${from}`, to: ctx.org.number, body, profileName });
      expect(res.status).toBe(200);
    };
    await write('+14155550134', 'Is my order shipped?', 'Maria Garcia');
    await write('+14155550134', 'Order #4411', 'Maria Garcia');
    await write('+14155552671', 'Do you ship to Osaka?', 'Aiko Tanaka');
    await write('+442079460958', 'Thursday works', 'Oliver Smith');
    await write('+4930123456', '<img src=x onerror="window.pwned=1">Danke!', 'Jonas <b>Weber</b>');
    const sync = await api<SyncResponse>(ctx.stack, ctx.org.agents[0]!.token, '/api/sync');
    for (const c of sync.body.conversations) conversationOf.set(c.contact.phone, c.id);

    ({ browser, options, panel } = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email, undefined, { grantedOrigins: [OTHER_SITE] }));
    await panel.locator('[data-status="live"]').waitFor({ timeout: 10_000 });
    await serve('https://app.hubspot.com/contacts/', 'hubspot.html');
    await serve('https://acme.lightning.force.com/lightning/r/Contact/', 'salesforce.html');
    await serve('https://acme.pipedrive.com/', 'pipedrive.html');
    await serve('https://crm.zoho.eu/crm/', 'zoho.html');
    await serve(`${OTHER_SITE}/`, 'other.html');
    bob = await connectSocket(ctx.stack, ctx.org.agents[1]!.token);
  });
  afterAll(async () => {
    bob?.disconnect();
    await browser?.close();
  });

  it('badges the demo CRM page that the server serves, out of the box', async () => {
    const page = await open(`${ctx.stack.serverUrl}/demo/crm`);
    const badges = await waitForBadges(page, 5);
    expect(phonesOf(badges)).toEqual(['+14155550134', '+14155552671', '+33142685300', '+442079460958', '+4930123456']);
    const maria = badges.find((b) => b.phone === '+14155550134')!;
    expect(maria).toMatchObject({ unread: '2', conversation: true, after: '+1 (415) 555-0134' });
    expect(maria.tip).toContain('Maria Garcia: Order #4411');
    // Camille has never written: her badge offers to start a conversation.
    expect(badges.find((b) => b.phone === '+33142685300')).toMatchObject({ conversation: false, unread: '0', tip: 'Start WhatsApp conversation' });
    // Customer text is text: the markup in Jonas's message and name is shown, never run.
    expect(badges.find((b) => b.phone === '+4930123456')!.tip).toBe('Jonas <b>Weber</b>: <img src=x onerror="window.pwned=1">Danke!\nUnassigned');
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    // Its card says who has the conversation, and the badge is a target of at least 24 × 24 px
    // (the pill is smaller than the text line; a click just outside it still lands on it).
    expect(maria.tip).toMatch(/\n(Unassigned|Yours|Assigned to .+)$/m);
    const misses = await page.evaluate((selector) => {
      const host = document.querySelector(`${selector}[data-phone="+14155550134"]`)!;
      const r = host.getBoundingClientRect();
      const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
      const probes: Array<[number, number]> = [
        [x, y - 11.5],
        [x, y + 11.5],
        [x - 11.5, y],
        [x + 11.5, y],
      ];
      return {
        height: r.height,
        width: r.width,
        misses: probes
          .filter(([px, py]) => document.elementFromPoint(px, py) !== host)
          .map(([px, py]) => [px, py, r.left, r.width, document.elementFromPoint(px, py)?.outerHTML.slice(0, 80)]),
      };
    }, BADGE_SELECTOR);
    expect(misses.height).toBeLessThan(24);
    expect(misses.width).toBeGreaterThanOrEqual(24);
    expect(misses.misses).toEqual([]);
    await page.close();
  });

  it('HubSpot: badges the right numbers and nothing else, untouched by the page’s CSS, and follows re-renders', async () => {
    const page = await open('https://app.hubspot.com/contacts/123/objects/0-1/views/all/list');
    const badges = await waitForBadges(page, 5);
    // Table rows (text), the record's tel: link, the phone input; not the composer, the record id or the date.
    expect(phonesOf(badges)).toEqual(['+14155550134', '+14155550134', '+14155550142', '+14155552671', '+442079460958']);
    for (const b of badges) expect(b.display).toBe('inline-flex'); // the page's `[role=button] { display: block !important }` lost
    expect(badges.find((b) => b.phone === '+442079460958')!.after).toBe('+44 20 7946 0958');
    expect(badges.find((b) => b.phone === '+14155552671')!.after).toBe('415.555.2671');

    // The filter re-renders the table: badges follow, none doubled, Rosa's gone with her row.
    await page.click('#filter');
    await expect.poll(async () => phonesOf(await badgesOn(page)), { timeout: 5000 }).toEqual(['+14155550134', '+14155550134', '+14155552671', '+442079460958']);

    // Typing a number into the phone field moves its badge to the new number.
    await page.fill('input[type=tel]', '+1 415 555 2671');
    await expect.poll(async () => (await badgesOn(page)).filter((b) => b.phone === '+14155552671').length, { timeout: 5000 }).toBe(2);
    await page.close();
  });

  it('updates live: a new message raises the count, a typing colleague shows dots that clear', async () => {
    const page = await open('https://app.hubspot.com/contacts/123/objects/0-1/views/all/list');
    await waitForBadges(page, 5);
    const aiko = async () => (await badgesOn(page)).find((b) => b.phone === '+14155552671')!;
    expect((await aiko()).unread).toBe('1');
    await ctx.stack.inbound({ from: 'whatsapp:+14155552671', to: ctx.org.number, body: 'Hello again', profileName: 'Aiko Tanaka' });
    await expect.poll(async () => (await aiko()).unread, { timeout: 5000 }).toBe('2');
    expect((await aiko()).tip).toContain('Hello again');

    const conversationId = conversationOf.get('+14155552671')!;
    await bob.emitWithAck('conversation:join', { conversationId });
    // Bob opened the conversation: his presence there shows on the badge.
    await expect.poll(async () => (await aiko()).tip, { timeout: 5000 }).toContain('Agent 1 is viewing');
    bob.emit('typing:start', { conversationId });
    await expect.poll(async () => (await aiko()).typing, { timeout: 5000 }).toBe(true);
    expect((await aiko()).tip).toContain('Agent 1 is typing a reply');
    // No stop ever sent: the dots clear 3 s after the last start.
    await expect.poll(async () => (await aiko()).typing, { timeout: 8000 }).toBe(false);
    bob.emit('conversation:leave', { conversationId });
    await expect.poll(async () => (await aiko()).tip, { timeout: 5000 }).not.toContain('viewing');
    await page.close();
  });

  it('clicking a badge opens that conversation (marking it read) without the CRM seeing the click', async () => {
    const page = await open('https://app.hubspot.com/contacts/123/objects/0-1/views/all/list');
    await waitForBadges(page, 5);
    await page.locator(`tr ${BADGE_SELECTOR}[data-phone="+14155550134"]`).click();
    const openId = () => browser.worker.evaluate(async () => (await chrome.storage.session.get('openConversation')).openConversation);
    await expect.poll(openId, { timeout: 5000 }).toBe(conversationOf.get('+14155550134'));
    expect(await page.evaluate(() => (window as { rowClicks?: number }).rowClicks)).toBeUndefined();
    // Opened is read: the count clears on the CRM page, as in the side panel.
    await expect.poll(async () => (await badgesOn(page)).filter((b) => b.phone === '+14155550134').map((b) => b.unread), { timeout: 5000 }).toEqual(['0', '0']);
    await panel.getByText('Order #4411').first().waitFor({ timeout: 5000 });

    // A number with no conversation: the click starts one, and the badge becomes a conversation badge.
    await page.locator(`${BADGE_SELECTOR}[data-phone="+14155550142"]`).press('Enter');
    await expect.poll(async () => (await badgesOn(page)).find((b) => b.phone === '+14155550142')?.conversation, { timeout: 5000 }).toBe(true);
    const sync = await api<SyncResponse>(ctx.stack, ctx.org.agents[0]!.token, '/api/sync');
    const rosa = sync.body.conversations.find((c) => c.contact.phone === '+14155550142');
    expect(rosa).toBeDefined();
    expect(await openId()).toBe(rosa!.id);
    await page.close();
  });

  it('Salesforce: numbers inside web components, shadow roots and late-rendered lists', async () => {
    const page = await open('https://acme.lightning.force.com/lightning/r/Contact/003xx/view');
    const badges = await waitForBadges(page, 3);
    expect(phonesOf(badges)).toEqual(['+33142685300', '+442079460958', '+4930123456']);
    expect(badges.find((b) => b.phone === '+442079460958')).toMatchObject({ after: '+442079460958', unread: '1' });
    expect(badges.find((b) => b.phone === '+4930123456')!.after).toBe('0049 30 123456');
    await page.close();
  });

  it('Pipedrive: lazy lists and navigation without reloads', async () => {
    const page = await open('https://acme.pipedrive.com/persons/list');
    await waitForBadges(page, 20);
    await page.locator('#list').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await waitForBadges(page, 40);
    await page.click('a[href="/person/7"]');
    const person = await waitForBadges(page, 1);
    expect(person[0]).toMatchObject({ phone: '+4930123456', after: '0049 30 123456', conversation: true });
    await page.click('a[href="/persons/list"]');
    const list = await waitForBadges(page, 20);
    expect(new Set(list.map((b) => b.phone)).size).toBe(20);
    await page.close();
  });

  it('Zoho: a number in running text and one in a same-origin iframe, not the editor', async () => {
    const page = await open('https://crm.zoho.eu/crm/org1/tab/Leads/1');
    const badges = await waitForBadges(page, 2);
    expect(phonesOf(badges)).toEqual(['+14155550134', '+14155552671']);
    // Right after the number, before the rest of the sentence.
    expect(badges.find((b) => b.phone === '+14155552671')!.after).toBe('Phone: 415.555.2671');
    await page.close();
  });

  it('other sites: nothing until the agent enables the site; on at once, off again on request', async () => {
    const page = await open(`${OTHER_SITE}/customers/1`);
    await page.waitForTimeout(1000); // give a content script every chance to (wrongly) run
    expect(await badgesOn(page)).toEqual([]);
    // Where the number's own text sits: a badge may add itself after it, never move it.
    const numberBox = () =>
      page.locator('#phone').evaluate((el) => {
        const range = document.createRange();
        range.selectNodeContents(el.firstChild!);
        const { x, y, width, height } = range.getBoundingClientRect();
        return { x, y, width, height };
      });
    const textBefore = await numberBox();

    await options.bringToFront();
    await options.getByLabel('Site address').fill(OTHER_SITE);
    await options.getByRole('button', { name: 'Enable on this site' }).click();
    await options.getByRole('list', { name: 'Enabled sites' }).getByText(OTHER_SITE).waitFor({ timeout: 5000 });
    // Injected into the tab already open, and registered for new loads.
    await waitForBadges(page, 1);
    expect(await numberBox()).toEqual(textBefore);
    await page.reload();
    const again = await waitForBadges(page, 1);
    expect(again[0]).toMatchObject({ phone: '+14155550134', after: '+1 (415) 555-0134' });

    await options.getByRole('button', { name: `Turn off on ${OTHER_SITE}` }).click();
    await waitForBadges(page, 0);
    // The text node the badge had split is whole again.
    expect(await page.locator('#phone').evaluate((el) => el.childNodes.length)).toBe(1);
    await page.reload();
    await page.waitForTimeout(1000);
    expect(await badgesOn(page)).toEqual([]);
    await page.close();
  });

  // Last: it reloads the extension in this browser.
  it('leaves the page as it found it when the extension is reloaded', async () => {
    const page = await open('https://crm.zoho.eu/crm/org1/tab/Leads/1');
    await waitForBadges(page, 2);
    void browser.worker.evaluate(() => chrome.runtime.reload()).catch(() => {});
    await waitForBadges(page, 0);
    // The sentence the badge had split is one text node again.
    expect(
      await page
        .locator('td')
        .nth(1)
        .evaluate((el) => el.childNodes.length),
    ).toBe(1);
    await page.close();
  });
});

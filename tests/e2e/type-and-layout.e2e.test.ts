import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser } from '../support/browser';
import { connectByOAuth } from '../support/crm';
import { useTestStack } from '../support/fixture';

/**
 * Text at the design's sizes in the design's font, on every extension page, as Chromium computes
 * it (issue 31). Chrome's stylesheet for extension pages sets `body { font-size: 75% }` and a font
 * family of its own, which beat anything set on `:root` alone: names and messages came out at
 * 10.5 px in DejaVu Sans. And the thread header, from 320 px wide, without anything overflowing or
 * a button's words split over lines.
 */

/** The design's type scale: body text 14 px, nothing smaller than the 12 px caption size. */
const BODY_PX = 14;
const SMALLEST_PX = 12;
/** The first family of the design's two stacks (sans for text, mono for shortcuts and URLs). */
const DESIGN_FAMILIES = ['system-ui', 'ui-monospace'];

interface TextStyle {
  text: string;
  tag: string;
  fontSize: number;
  fontFamily: string;
}

/** Every visible element with text of its own, with its computed size and family. */
function textStyles(page: Page, root = 'body'): Promise<TextStyle[]> {
  return page.evaluate((root) => {
    const out: TextStyle[] = [];
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      // 1 px clipped boxes are the visually hidden labels for screen readers.
      return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.opacity !== '0';
    };
    for (const el of document.querySelectorAll(`${root}, ${root} *`)) {
      const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim()).map((n) => n.textContent!.trim());
      // Form controls show their value, not child text.
      const value = el instanceof HTMLInputElement && !['checkbox', 'radio', 'hidden'].includes(el.type) ? el.value || el.placeholder : '';
      const text = [...own, value].filter(Boolean).join(' ');
      if (!text || !visible(el)) continue;
      const s = getComputedStyle(el);
      out.push({ text: text.slice(0, 40), tag: el.tagName.toLowerCase(), fontSize: parseFloat(s.fontSize), fontFamily: s.fontFamily });
    }
    return out;
  }, root);
}

/** What is wrong with a page's type: the body's size, text under the smallest size, a family not the system UI stack. */
async function typeProblems(page: Page, what: string): Promise<string[]> {
  const body = await page.evaluate(() => {
    const s = getComputedStyle(document.body);
    return { fontSize: parseFloat(s.fontSize), fontFamily: s.fontFamily };
  });
  const problems: string[] = [];
  if (body.fontSize !== BODY_PX) problems.push(`${what}: body text is ${body.fontSize} px, not ${BODY_PX} px`);
  const styles = await textStyles(page);
  expect(styles.length, `${what}: no text found`).toBeGreaterThan(5);
  for (const s of styles) {
    if (s.fontSize < SMALLEST_PX) problems.push(`${what}: <${s.tag}> “${s.text}” is ${s.fontSize} px`);
    // The system UI font, or the design's monospace for code and URLs: never the browser's own pick.
    const first = s.fontFamily.split(',')[0]!.trim();
    if (!DESIGN_FAMILIES.includes(first)) problems.push(`${what}: <${s.tag}> “${s.text}” is in ${s.fontFamily}`);
  }
  return problems;
}

describe('Type and layout', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let ui: Awaited<ReturnType<typeof signedInBrowser>>;

  beforeAll(async () => {
    // The customer no CRM record has: the header's widest state ("Not in HubSpot", Create contact, Link).
    await connectByOAuth(ctx.stack, ctx.org.agents[0]!.token, 'hubspot', `${ctx.stack.hubspotStandIn!.url}/oauth/authorize`);
    await ctx.stack.inbound({
      from: '+14155550142',
      to: ctx.org.number,
      body: 'Hello, is my order on its way?',
      profileName: 'Maximiliana Fernández-Oyelaran',
    });
    ui = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email);
  });
  afterAll(() => ui?.browser.close());

  it('the side panel’s list and thread, in light and dark, are at the design’s sizes in the system UI font', async () => {
    const { panel } = ui;
    await panel.setViewportSize({ width: 400, height: 700 });
    const problems: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await panel.emulateMedia({ colorScheme: scheme });
      await panel.getByRole('button', { name: /Maximiliana/ }).waitFor({ timeout: 15_000 });
      problems.push(...(await typeProblems(panel, `inbox (${scheme})`)));
      // The customer's name and message are body text, never smaller than their timestamp.
      const name = await panel
        .locator('.conversation .name')
        .first()
        .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
      expect(name).toBeGreaterThanOrEqual(BODY_PX);
      await panel.getByRole('button', { name: /Maximiliana/ }).click();
      await panel.getByText('Not in HubSpot').waitFor({ timeout: 10_000 });
      problems.push(...(await typeProblems(panel, `thread (${scheme})`)));
      const message = panel.getByRole('list', { name: 'Messages' }).getByText('Hello, is my order on its way?');
      expect(await message.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(BODY_PX);
      await panel.getByRole('button', { name: 'Back to conversations' }).click();
    }
    expect(problems).toEqual([]);
  });

  it('a conversation focused from the keyboard shows its whole focus ring, in light and dark', async () => {
    // A row clips what it paints (it keeps its paint when it only moves): the ring must be drawn inside it.
    const { panel } = ui;
    await panel.setViewportSize({ width: 400, height: 700 });
    await panel.getByRole('button', { name: /Maximiliana/ }).waitFor({ timeout: 15_000 });
    await panel.getByRole('searchbox').click();
    for (let i = 0; i < 40 && !(await panel.evaluate(() => !!document.activeElement?.matches('.conversation-item .conversation'))); i++)
      await panel.keyboard.press('Tab');
    const row = panel.locator('.conversation-item', { has: panel.locator('.conversation:focus-visible') });
    await expect.poll(() => row.count()).toBe(1);
    for (const scheme of ['light', 'dark'] as const) {
      await panel.emulateMedia({ colorScheme: scheme });
      const ring = await row.locator('.conversation').evaluate((el) => getComputedStyle(el).outlineColor);
      const shot = (await row.screenshot()).toString('base64');
      // Which of the row's four edges (4 px deep) have the ring's colour, read from the screenshot's pixels.
      const edges = await panel.evaluate(
        async ({ shot, ring }) => {
          const image = await createImageBitmap(await (await fetch(`data:image/png;base64,${shot}`)).blob());
          const canvas = new OffscreenCanvas(image.width, image.height);
          const g = canvas.getContext('2d')!;
          g.drawImage(image, 0, 0);
          const px = g.getImageData(0, 0, image.width, image.height).data;
          const [r, gr, b] = ring.match(/\d+/g)!.map(Number);
          const isRing = (x: number, y: number) => {
            const i = (y * image.width + x) * 4;
            return Math.abs(px[i]! - r!) + Math.abs(px[i + 1]! - gr!) + Math.abs(px[i + 2]! - b!) < 24;
          };
          const band = (xs: number[], ys: number[]) => xs.some((x) => ys.some((y) => isRing(x, y)));
          const all = (n: number) => [...Array(n).keys()];
          const near = (n: number) => [0, 1, 2, 3].map((d) => n - 1 - d);
          const midX = all(image.width).filter((x) => x > 8 && x < image.width - 8);
          const midY = all(image.height).filter((y) => y > 8 && y < image.height - 8);
          return {
            top: midX.every((x) => band([x], [0, 1, 2, 3])),
            bottom: midX.every((x) => band([x], near(image.height))),
            left: midY.every((y) => band([0, 1, 2, 3], [y])),
            right: midY.every((y) => band(near(image.width), [y])),
          };
        },
        { shot, ring },
      );
      expect(edges, scheme).toEqual({ top: true, bottom: true, left: true, right: true });
    }
  });

  it('the options page and the admin view are at the design’s sizes in the system UI font, in a readable column', async () => {
    const { options } = ui;
    await options.setViewportSize({ width: 1280, height: 900 });
    await options.reload();
    const admin = options.getByRole('region', { name: 'Team administration' });
    await admin.getByRole('table', { name: 'Agents' }).waitFor({ timeout: 10_000 });
    await admin.getByText('HubSpot', { exact: false }).first().waitFor();
    const problems: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await options.emulateMedia({ colorScheme: scheme });
      problems.push(...(await typeProblems(options, `options and admin (${scheme})`)));
    }
    expect(problems).toEqual([]);
    // A column one reads, not controls across a 1,280 px window.
    const widest = await options.evaluate(() =>
      Math.max(...[...document.querySelectorAll('input, select, textarea, table, section')].map((el) => el.getBoundingClientRect().width)),
    );
    expect(widest).toBeLessThanOrEqual(760);
    // Countries by name.
    const country = options.getByLabel('Default country for numbers without a country code');
    expect(await country.locator('option[value="BR"]').textContent()).toBe('Brazil');
  });

  it('the thread header fits from 320 to 500 px: nothing overflows, no button or link is split over lines', async () => {
    const { panel } = ui;
    await panel.emulateMedia({ colorScheme: 'light' });
    await panel.getByRole('button', { name: /Maximiliana/ }).click();
    await panel.getByText('Not in HubSpot').waitFor({ timeout: 10_000 });
    for (const width of [320, 360, 400, 500]) {
      await panel.setViewportSize({ width, height: 700 });
      const found = await panel.evaluate(() => {
        const header = document.querySelector('.thread header')!;
        const out: string[] = [];
        const page = document.documentElement;
        if (page.scrollWidth > page.clientWidth) out.push(`the page scrolls sideways (${page.scrollWidth} px)`);
        for (const el of header.querySelectorAll('*')) {
          const r = el.getBoundingClientRect();
          if (r.width > 0 && (r.right > page.clientWidth + 0.5 || r.left < -0.5))
            out.push(`<${el.tagName.toLowerCase()}> “${el.textContent?.slice(0, 30)}” reaches ${r.left}–${r.right} px`);
        }
        // The customer's name has the header's width, not a column beside the controls.
        const name = header.querySelector('h2')!.getBoundingClientRect().width;
        if (name < 0.7 * header.clientWidth) out.push(`the name is squeezed to ${Math.round(name)} of ${header.clientWidth} px`);
        // A control's words on one line: a range over its text has one line box per line.
        for (const el of header.querySelectorAll('button, a')) {
          if (!el.textContent?.trim()) continue;
          const range = document.createRange();
          range.selectNodeContents(el);
          const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          if (lines.size > 1) out.push(`“${el.textContent.trim()}” is split over ${lines.size} lines`);
        }
        return out;
      });
      expect(found, `at ${width} px`).toEqual([]);
    }
  });
});

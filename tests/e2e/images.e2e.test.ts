import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { seriousViolations } from '../support/axe';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';
import { customer } from '../support/stack';

/**
 * Photos in the thread, in Chromium with the built extension: a tiny photo (the Twilio stand-in's
 * is 1×1 px) and a panorama (1600×16) both show as previews of a usable size, and a photo opens in
 * a viewer: a modal dialog that keeps focus, fits a 320 px panel, says what the photo is, saves it,
 * and closes with Escape or Close, giving focus back to the photo.
 */
describe('Photos in the thread', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let browser: ExtensionBrowser;
  let panel: Page;

  beforeAll(async () => {
    ({ browser } = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email));
    const phone = customer();
    const sid = newSid('MM');
    await ctx.stack.inbound({
      messageSid: sid,
      from: phone,
      to: ctx.org.number,
      body: 'This is the crack',
      profileName: 'Petra',
      media: [{ url: ctx.stack.twilioStandIn!.mediaUrl('image', sid), contentType: 'image/png' }],
    });
    panel = await browser.page('sidepanel.html');
    await panel.setViewportSize({ width: 320, height: 640 });
    await panel.getByRole('button', { name: /Petra/ }).click({ timeout: 15_000 });
  });
  afterAll(async () => {
    await browser?.close();
  });

  const box = async (l: Locator) => (await l.boundingBox())!;
  const mediaMin = () => panel.evaluate(() => parseFloat(getComputedStyle(document.documentElement).getPropertyValue('--media-min')));

  it('a 1×1 photo and a 1600×16 panorama both show as previews at least --media-min on each side, within the bubble', async () => {
    const min = await mediaMin();
    expect(min).toBeGreaterThanOrEqual(64);
    const thread = panel.getByRole('list', { name: 'Messages' });
    const tiny = thread.getByRole('button', { name: 'Photo from the customer' });
    await tiny.waitFor({ timeout: 10_000 });
    const img = tiny.locator('img');
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(1);
    expect((await box(img)).width).toBeGreaterThanOrEqual(min);
    expect((await box(img)).height).toBeGreaterThanOrEqual(min);

    // The agent sends a panorama (drawn here, uploaded through the composer): shown once stored,
    // never "unavailable" while the server's copy is on its way.
    const wide = await panel.evaluate(async () => {
      const canvas = new OffscreenCanvas(1600, 16);
      const g = canvas.getContext('2d')!;
      g.fillStyle = '#3b82f6';
      g.fillRect(0, 0, 1600, 16);
      return [...new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer())];
    });
    await panel.getByLabel('Files to send').setInputFiles({ name: 'panorama.png', mimeType: 'image/png', buffer: Buffer.from(wide) });
    await panel.getByRole('list', { name: 'Attached files' }).getByText('Ready').waitFor({ timeout: 10_000 });
    await panel.getByLabel('Reply').press('Enter');
    const sent = thread.getByRole('button', { name: 'Photo you sent' }).locator('img');
    const unavailable = thread.getByText(/unavailable/);
    await sent.waitFor({ timeout: 10_000 });
    await expect.poll(() => sent.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(1600);
    expect(await unavailable.count()).toBe(0);
    const preview = await box(sent);
    const bubble = await sent.evaluate((img) => img.closest('.bubble')!.getBoundingClientRect().toJSON() as DOMRect);
    expect(preview.height).toBeGreaterThanOrEqual(min);
    expect(preview.width).toBeGreaterThanOrEqual(min);
    expect(preview.x + preview.width).toBeLessThanOrEqual(bubble.x + bubble.width);
  });

  it('opens in a viewer: a modal dialog that keeps focus, fits the panel, names the photo, saves it, and closes with Escape or Close', async () => {
    const thread = panel.getByRole('list', { name: 'Messages' });
    const photo = thread.getByRole('button', { name: 'Photo from the customer' });
    await photo.click();
    const viewer = panel.getByRole('dialog', { name: 'Photo from the customer' });
    await viewer.waitFor();
    const close = viewer.getByRole('button', { name: 'Close' });
    const download = viewer.getByRole('link', { name: 'Download' });
    const focused = () => panel.evaluate(() => document.activeElement?.textContent?.trim() ?? null);
    expect(await focused()).toBe('Close');
    // Tab and Shift+Tab stay on the viewer's controls.
    for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
      await panel.keyboard.press(key);
      expect(await viewer.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    }
    // Modal: the rest of the panel is out of reach while it is open.
    expect(await viewer.evaluate((d) => d.matches(':modal'))).toBe(true);
    // …and dimmed behind it, with the design's backdrop (not the browser's faint default).
    expect(await viewer.evaluate((d) => getComputedStyle(d, '::backdrop').backgroundColor)).toBe('rgba(0, 0, 0, 0.6)');
    // It fits the 320 px panel, the photo inside it, with its caption.
    const dialogBox = await box(viewer);
    expect(dialogBox.x).toBeGreaterThanOrEqual(0);
    expect(dialogBox.x + dialogBox.width).toBeLessThanOrEqual(320);
    const big = await box(viewer.getByRole('img', { name: 'Photo from the customer' }));
    expect(big.x + big.width).toBeLessThanOrEqual(dialogBox.x + dialogBox.width);
    expect(big.width).toBeGreaterThanOrEqual(await mediaMin());
    expect(await viewer.locator('figcaption').textContent()).toBe('Photo from the customer');
    expect((await seriousViolations(panel, 'image viewer')).join('\n')).toBe('');
    // Download saves the photo itself.
    const [saved] = await Promise.all([panel.waitForEvent('download'), download.click()]);
    expect(saved.suggestedFilename()).toMatch(/\.png$/);
    // Escape closes it and focus is back on the photo.
    await panel.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    expect(await photo.evaluate((b) => b === document.activeElement)).toBe(true);
    // And so does Close.
    await photo.click();
    await close.click();
    await viewer.waitFor({ state: 'detached' });
    expect(await photo.evaluate((b) => b === document.activeElement)).toBe(true);
  });
});

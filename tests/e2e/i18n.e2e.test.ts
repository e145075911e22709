import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { customer } from '../support/stack';
import { useTestStack } from '../support/fixture';

/** The side panel in the agent's language, in Chromium with the built extension (issue 31). */
describe('The side panel in Spanish and Arabic', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let browser: ExtensionBrowser;
  let panel: Page;
  // What the options page's language picker writes (lib/storage/items.ts, `local:language`).
  const chooseLanguage = (language: string) => panel.evaluate((l) => chrome.storage.local.set({ language: l }), language);

  beforeAll(async () => {
    ({ browser, panel } = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email));
    await panel.locator('[data-status="live"]').waitFor({ timeout: 10_000 });
    for (const name of ['Ana Souza', 'Bruno Lima', 'Carla Dias'])
      await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: `Hola, soy ${name}`, profileName: name });
    await panel.getByRole('button', { name: /Carla Dias/ }).waitFor({ timeout: 10_000 });
  });
  afterAll(async () => {
    await chooseLanguage('auto').catch(() => {});
    await browser?.close();
  });

  it('switches to Spanish at once, with Spanish plurals', async () => {
    await chooseLanguage('es');
    await expect.poll(() => panel.evaluate(() => document.documentElement.lang)).toBe('es');
    await panel.getByRole('button', { name: /^Abiertas/ }).waitFor();
    await panel.getByRole('button', { name: 'Seleccionar' }).click();
    const bar = panel.getByRole('region', { name: 'Conversaciones seleccionadas' });
    await panel.getByRole('checkbox', { name: 'Seleccionar la conversación con Ana Souza' }).check();
    await bar.getByText('1 seleccionada', { exact: true }).waitFor();
    await panel.getByRole('checkbox', { name: 'Seleccionar la conversación con Bruno Lima' }).check();
    await bar.getByText('2 seleccionadas', { exact: true }).waitFor();
    expect(await bar.getByRole('button', { name: 'Resolver 2' }).isVisible()).toBe(true);
    await bar.getByRole('button', { name: 'Listo' }).click();
  });

  it('lays the panel out right to left in Arabic, and the thread too', async () => {
    await chooseLanguage('ar');
    await expect.poll(() => panel.evaluate(() => document.documentElement.dir)).toBe('rtl');
    const open = panel.getByRole('button', { name: /^مفتوحة/ });
    await open.waitFor();
    // Mirrored: the status filters start at the right edge, and Open (the first) is the rightmost.
    const resolved = panel.getByRole('button', { name: /^محلولة/ });
    const [openBox, resolvedBox] = [await open.boundingBox(), await resolved.boundingBox()];
    expect(openBox!.x).toBeGreaterThan(resolvedBox!.x);
    // The row's avatar sits at the right, its text to the left of it.
    const row = panel.getByRole('button', { name: /Carla Dias/ });
    const [avatar, name] = [await row.locator('.avatar').boundingBox(), await row.locator('.name').boundingBox()];
    expect(avatar!.x).toBeGreaterThan(name!.x);

    await row.click();
    const thread = panel.getByRole('region', { name: 'محادثة مع Carla Dias' });
    await thread.waitFor();
    expect(await thread.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    // The back arrow points right (to the start of an RTL line): it is mirrored.
    const back = panel.getByRole('button', { name: 'العودة إلى المحادثات' });
    expect(await back.locator('svg').evaluate((el) => getComputedStyle(el).transform)).toBe('matrix(-1, 0, 0, 1, 0, 0)');
    // The customer's text keeps its own direction inside the Arabic page.
    await thread.getByText('Hola, soy Carla Dias').waitFor();
    await back.click();
  });
});

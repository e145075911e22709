import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';

/** The agent picks their language in the options page; every open page follows (issue 31). */
describe('Choosing the language in the options page', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let browser: ExtensionBrowser;
  let options: Page;
  let panel: Page;
  const langAndDir = (page: Page) => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]);

  beforeAll(async () => {
    ({ browser, options, panel } = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email));
    await panel.locator('[data-status="live"]').waitFor({ timeout: 10_000 });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('switches the options page and the open side panel to Arabic, right to left, and back with Browser language', async () => {
    await options.getByRole('combobox', { name: 'Language' }).selectOption({ label: 'العربية' });
    for (const page of [options, panel]) await expect.poll(() => langAndDir(page)).toEqual(['ar', 'rtl']);
    await options.getByRole('heading', { level: 1, name: 'إعدادات Switchboard' }).waitFor();
    await options.getByRole('button', { name: 'تسجيل الخروج' }).waitFor();
    await panel.getByRole('button', { name: /^مفتوحة/ }).waitFor();

    // Back to the browser's language (this Chromium's is English), named in Arabic while Arabic is on.
    const picker = options.getByRole('combobox', { name: 'اللغة' });
    expect(await picker.locator('option[value="auto"]').textContent()).toBe('لغة المتصفح (English)');
    await picker.selectOption({ label: 'لغة المتصفح (English)' });
    for (const page of [options, panel]) await expect.poll(() => langAndDir(page)).toEqual(['en', 'ltr']);
    await options.getByRole('heading', { level: 1, name: 'Switchboard settings' }).waitFor();
    await panel.getByRole('button', { name: /^Open/ }).waitFor();
    expect(await options.getByRole('combobox', { name: 'Language' }).inputValue()).toBe('auto');
  });
});

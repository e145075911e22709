import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../lib/connection/status';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';
import { startInstance, type ServerInstance } from '../support/instance';
import { freezableProxy } from '../support/proxy';
import { customer } from '../support/stack';

/**
 * An honest connection status (issue #31), in Chromium with the built extension: a server that
 * stops answering with its connections open (SIGSTOP) is named in a banner within seconds, found
 * by the links' heartbeats (the transports' own timeouts take 25 to 45 s); a reply written
 * meanwhile waits, and goes out once when the server is back.
 *
 * Switchboard's server is an instance in its own process, so it can be frozen. The local Realtime
 * runs inside this test's process and cannot be: the instance sends the extension to it through
 * a proxy that black-holes its connections instead (TCP open, nothing passes).
 */
describe('Connection status when the server stops answering', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let instance: ServerInstance;
  let supabase: Awaited<ReturnType<typeof freezableProxy>>;
  let browser: ExtensionBrowser;
  let panel: Page;

  beforeAll(async () => {
    supabase = await freezableProxy(Number(new URL(ctx.stack.config.supabaseUrl).port));
    instance = await startInstance(ctx.stack, { SUPABASE_URL: supabase.url });
    ({ browser, panel } = await signedInBrowser({ serverUrl: instance.url }, ctx.org.agents[0]!.email));
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.kill(); // stopped or not
    await supabase?.close();
  });

  /** The status line's state (messages of the open thread have a data-status too). */
  const status = () => panel.locator('div.status[data-status]').getAttribute('data-status');
  const links = () => panel.evaluate(() => window.switchboard!.status()) as Promise<ConnectionStatus>;
  const sentWith = (body: string) => ctx.stack.twilioStandIn!.created.filter((c) => c.Body === body);

  it('names the server in a banner within seconds, shows a reply as waiting, and sends it once when the server is back', async () => {
    await expect.poll(status, { timeout: 15_000 }).toBe('live');
    expect(await panel.getByRole('alert').count()).toBe(0);
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Is anyone there?', profileName: 'Ines' });
    await panel.getByRole('button', { name: /Ines/ }).click({ timeout: 15_000 });

    instance.freeze(true);
    supabase.freeze(true);
    // At most 15 s: without heartbeats neither link would notice for 25 s or more.
    const banner = panel.getByRole('alert').filter({ hasText: 'Switchboard’s server is not answering.' });
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain('Replies wait and go out when it is back.');
    await expect.poll(async () => (await links()).realtime, { timeout: 15_000 }).toBe('disconnected');
    expect(await status()).not.toBe('live');

    const box = panel.getByLabel('Reply');
    await box.fill('Yes, one moment please');
    await box.press('Enter');
    const bubble = panel.getByRole('list', { name: 'Messages' }).locator('li.outbound').filter({ hasText: 'Yes, one moment please' });
    await bubble.getByText('Waiting', { exact: true }).waitFor();
    expect(sentWith('Yes, one moment please')).toHaveLength(0);

    instance.freeze(false);
    supabase.freeze(false);
    await expect.poll(status, { timeout: 60_000 }).toBe('live');
    await banner.waitFor({ state: 'detached' });
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: 20_000 }).toMatch(/^(sent|delivered|read)$/);
    expect(await bubble.getByText('Waiting', { exact: true }).count()).toBe(0);
    expect(sentWith('Yes, one moment please')).toHaveLength(1);
    expect(await bubble.count()).toBe(1);
  }, 150_000);

  it('says the agent is offline, not the server, when the browser is', async () => {
    await expect.poll(status, { timeout: 15_000 }).toBe('live');
    const cdp = await browser.context.newCDPSession(panel);
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    try {
      await panel.getByRole('alert').filter({ hasText: 'You are offline.' }).waitFor({ timeout: 10_000 });
      expect(await panel.getByRole('alert').filter({ hasText: 'not answering' }).count()).toBe(0);
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    }
    await panel.getByRole('alert').waitFor({ state: 'detached', timeout: 10_000 });
  });
});

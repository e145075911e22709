import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../support/axe';
import { launchWithExtension, signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';
import { startInstance, type ServerInstance } from '../support/instance';

/**
 * From download to a working inbox without a terminal: a new browser with the built extension,
 * given only the workspace URL, in the side panel itself; clear answers to a wrong URL; and an
 * extension older than the workspace accepts is told to update.
 */
describe('Connecting with one workspace URL', () => {
  const ctx = useTestStack({ env: { WORKSPACE_NAME: 'Acme Support' }, orgs: { org: 1 } });
  let fresh: ExtensionBrowser;
  let newer: ServerInstance; // a workspace that needs a newer extension

  beforeAll(async () => {
    await ctx.stack.inbound({ from: '+14155550134', to: ctx.org.number, body: 'Hello from a customer', profileName: 'Maria Garcia' });
    fresh = await launchWithExtension();
    newer = await startInstance(ctx.stack, { MIN_EXTENSION_VERSION: '99.0.0', SNOOZE_SWEEP_MS: '60000' });
  });
  afterAll(async () => {
    await fresh?.close();
    await newer?.stop();
  });

  it('the side panel guides a new agent: workspace URL, then sign in, then the team’s conversations', async () => {
    const panel = await fresh.page('sidepanel.html');
    await panel.getByText('Connect to your team’s workspace').waitFor();
    const found = await seriousViolations(panel, 'workspace step');
    await panel.getByLabel('Workspace URL').fill(ctx.stack.serverUrl);
    await panel.getByRole('button', { name: 'Connect', exact: true }).click();
    await panel.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
    found.push(...(await seriousViolations(panel, 'sign-in step')));
    expect(found.join('\n')).toBe('');
    await panel.getByLabel('Email').fill(ctx.org.agents[0]!.email);
    await panel.getByLabel('Password').fill('correct horse battery');
    await panel.getByRole('button', { name: 'Sign in' }).click();
    await panel.getByRole('button', { name: /Maria Garcia/ }).waitFor({ timeout: 15_000 });
    await expect.poll(() => panel.locator('[data-status]').getAttribute('data-status'), { timeout: 10_000 }).toBe('live');
    // The options page shows the workspace as connected (by its host and name), not as a field to
    // fill again; Change workspace brings the field back, Cancel folds it away.
    const options = await fresh.page('options.html');
    const host = new URL(ctx.stack.serverUrl).host;
    const connected = options.getByRole('group', { name: 'Workspace' }).getByRole('status');
    await connected.filter({ hasText: `Connected to ${host} (Acme Support)` }).waitFor();
    expect(await options.getByLabel('Workspace URL').count()).toBe(0);
    await options.getByRole('button', { name: 'Change workspace' }).click();
    const field = options.getByLabel('Workspace URL');
    await field.waitFor();
    expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);
    await options.getByRole('button', { name: 'Cancel' }).click();
    await connected.waitFor();
    expect(await field.count()).toBe(0);
    await options.close();
  });

  it('answers a wrong URL clearly and keeps what worked', async () => {
    const options = await fresh.page('options.html');
    await options.getByRole('button', { name: 'Change workspace' }).click();
    const tryUrl = async (url: string) => {
      await options.getByLabel('Workspace URL').fill(url);
      await options.getByRole('button', { name: 'Connect', exact: true }).click();
      const alert = options.getByRole('form', { name: 'Workspace' }).getByRole('alert');
      await alert.waitFor();
      return alert.textContent();
    };
    expect(await tryUrl('http://switchboard.example.com')).toMatch(/must start with https:\/\//);
    expect(await tryUrl('https://user:pw@switchboard.example.com')).toMatch(/user name or password/);
    expect(await tryUrl(`${ctx.stack.config.supabaseUrl}/nothing-here`)).toMatch(/answered 404: is this your Switchboard workspace URL\?/);
    expect(await tryUrl('http://127.0.0.1:1')).toMatch(/Could not reach/);
    expect(await tryUrl(newer.url)).toMatch(/needs Switchboard 99\.0\.0 or newer; this is \d+\.\d+\.\d+/);
    // Still connected to the workspace that worked.
    expect(await fresh.worker.evaluate(async () => ((await chrome.storage.local.get('settings')).settings as { serverUrl: string }).serverUrl)).toBe(
      ctx.stack.serverUrl,
    );
    await options.close();
  });

  it('an extension set to a workspace that now needs a newer version says to update instead of connecting', async () => {
    const ui = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email);
    try {
      // The workspace's server moves on (here: the settings now point at one that needs 99.0.0).
      await ui.options.getByText('Advanced: enter the server and Supabase yourself').click();
      await ui.options.getByLabel('Server URL').fill(newer.url);
      await ui.options.getByRole('button', { name: 'Save', exact: true }).click();
      await ui.panel.getByRole('heading', { name: 'Update Switchboard' }).waitFor({ timeout: 15_000 });
      expect(await ui.panel.getByRole('alert').first().textContent()).toMatch(/needs Switchboard 99\.0\.0 or newer/);
      expect(await ui.panel.getByRole('list', { name: 'Conversations' }).count()).toBe(0);
    } finally {
      await ui.browser.close();
    }
  });
});

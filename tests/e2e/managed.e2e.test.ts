import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';

/**
 * A managed install: IT pushes the workspace URL (and locks it) by policy, the way Chrome delivers
 * it to `storage.managed` (here the machine's Chromium policy file for this copy of the extension,
 * which only root may write). The agent never sees the workspace step.
 */
describe.runIf(process.getuid?.() === 0)('A workspace set by IT policy', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let managed: ExtensionBrowser;

  beforeAll(async () => {
    await ctx.stack.inbound({ from: '+14155550134', to: ctx.org.number, body: 'Hello from a managed install', profileName: 'Maria Garcia' });
    managed = await launchWithExtension({ managedPolicy: { workspaceUrl: ctx.stack.serverUrl, lockWorkspace: true } });
  });
  afterAll(() => managed?.close());

  it('skips the workspace step: the side panel asks only to sign in, and the workspace cannot be changed', async () => {
    const panel = await managed.page('sidepanel.html');
    await panel.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
    expect(await panel.getByLabel('Workspace URL').count()).toBe(0);
    expect(await panel.getByRole('button', { name: 'Use another workspace' }).count()).toBe(0);
    await panel.getByLabel('Email').fill(ctx.org.agents[0]!.email);
    await panel.getByLabel('Password').fill('correct horse battery');
    await panel.getByRole('button', { name: 'Sign in' }).click();
    await panel.getByRole('button', { name: /Maria Garcia/ }).waitFor({ timeout: 15_000 });

    // The options page shows the workspace as connected and set by the organisation: nothing to change.
    const options = await managed.page('options.html');
    await options.getByText('Set by your organisation.').waitFor();
    expect(
      await options
        .getByRole('status')
        .filter({ hasText: `Connected to ${new URL(ctx.stack.serverUrl).host}` })
        .count(),
    ).toBe(1);
    expect(await options.getByLabel('Workspace URL').count()).toBe(0);
    expect(await options.getByRole('button', { name: 'Change workspace' }).count()).toBe(0);
    expect(await options.getByText('Advanced: enter the server and Supabase yourself').count()).toBe(0);
  });
});

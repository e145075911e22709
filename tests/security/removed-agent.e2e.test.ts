import { describe, expect, it } from 'vitest';
import { useSignedInBrowser, useTestStack } from '../support/fixture';
import { customer } from '../support/stack';

/**
 * An agent taken out of an organisation keeps nothing of it in the browser: moved to another, the
 * extension drops the old inbox and connects to the new one; removed, it signs out.
 */
describe('An agent moved or removed, in Chromium', () => {
  const ctx = useTestStack({ env: { AGENT_RECHECK_MS: '300' }, orgs: { before: 1, after: 1 } });
  const ui = useSignedInBrowser(ctx, () => ctx.before.agents[0]!.email);

  it('moved: the old organisation’s conversations leave the side panel, the new one’s arrive', async () => {
    const agent = ctx.before.agents[0]!;
    await ctx.stack.inbound({ from: customer(), to: ctx.before.number, body: 'Old organisation', profileName: 'Olga Old' });
    await ui.panel.getByRole('button', { name: /Olga Old/ }).waitFor({ timeout: 10_000 });
    await ctx.stack.db.query('update agents set organisation_id = $2 where id = $1', [agent.id, ctx.after.id]);
    await ui.panel.getByRole('button', { name: /Olga Old/ }).waitFor({ state: 'detached', timeout: 15_000 });
    await ctx.stack.inbound({ from: customer(), to: ctx.after.number, body: 'New organisation', profileName: 'Nina New' });
    await ui.panel.getByRole('button', { name: /Nina New/ }).waitFor({ timeout: 15_000 });
    expect(await ui.panel.getByRole('button', { name: /Olga Old/ }).count()).toBe(0);
  });

  it('removed: the extension signs out and keeps no conversation', async () => {
    await ctx.stack.db.query('delete from agents where id = $1', [ctx.before.agents[0]!.id]);
    await ui.panel.getByText('Sign in to see your WhatsApp conversations.').waitFor({ timeout: 15_000 });
    const stored = await ui.browser.worker.evaluate(async () => (await chrome.storage.local.get(['agent'])) as Record<string, unknown>);
    expect(stored.agent ?? null).toBeNull();
    await expect.poll(async () => JSON.parse(await ui.browser.storedOnDevice()).cache.conversations, { timeout: 10_000 }).toEqual([]);
  });
});

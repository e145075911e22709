import { beforeAll, describe, expect, it } from 'vitest';
import { customer, socketIoSwitch } from '../support/stack';
import { useSignedInBrowser, useTestStack } from '../support/fixture';

/** With Socket.IO refused by the server, messages still arrive: Supabase Realtime is the primary path. */
describe('Realtime as the primary channel, in Chromium', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  const ui = useSignedInBrowser(ctx, () => ctx.org.agents[0]!.email);
  let socketIo: (up: boolean) => void;
  beforeAll(() => void (socketIo = socketIoSwitch(ctx.stack)));

  const status = () => ui.panel.locator('[data-status]').getAttribute('data-status');

  it('is live with both Realtime and Socket.IO up', async () => {
    await expect.poll(status, { timeout: 10_000 }).toBe('live');
  });

  it('shows degraded when Socket.IO is down', async () => {
    socketIo(false);
    await expect.poll(status, { timeout: 10_000 }).toBe('degraded');
    expect(ctx.stack.app.io.of('/').sockets.size).toBe(0);
  });

  it('delivers a new conversation and its next message through Realtime alone, once each', async () => {
    const from = customer();
    await ctx.stack.inbound({ from, to: ctx.org.number, body: 'Only Realtime saw this', profileName: 'Rita' });
    const row = ui.panel.getByRole('button', { name: /Rita/ });
    await row.getByLabel('1 unread').waitFor({ timeout: 10_000 });
    await expect.poll(() => ui.browser.badgeText(), { timeout: 10_000 }).toBe('1');

    await ctx.stack.inbound({ from, to: ctx.org.number, body: 'And this too', profileName: 'Rita' });
    await row.getByLabel('2 unread').waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('And this too');
    await expect.poll(() => ui.browser.badgeText(), { timeout: 10_000 }).toBe('2');

    await row.click();
    const thread = ui.panel.getByRole('list', { name: 'Messages' });
    await thread.getByText('And this too').waitFor();
    expect(await thread.locator('li.message').allTextContents()).toEqual([
      expect.stringContaining('Only Realtime saw this'),
      expect.stringContaining('And this too'),
    ]);
    expect(ctx.stack.app.io.of('/').sockets.size).toBe(0); // still no socket admitted (the worker keeps retrying; the server refuses each)
  });

  it('is live again once Socket.IO comes back', async () => {
    socketIo(true);
    await ui.panel.getByRole('button', { name: 'Back to conversations' }).click();
    // Not the Reconnect button: it goes away if the socket's own retry wins the race.
    await ui.panel.evaluate(() => window.switchboard!.reconnect());
    await expect.poll(status, { timeout: 10_000 }).toBe('live');
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ROWS_BY_REALTIME, ROWS_BY_SOCKET } from '../../server/sockets/rooms';
import { customer, socketIoSwitch } from '../support/stack';
import { useSignedInBrowser, useTestStack } from '../support/fixture';

/**
 * The background service worker owns both sockets: it stays quiet while healthy, degrades and
 * polls when sockets fail, and never loses or doubles a message across outages and worker stops.
 */
describe('Background connections in Chromium', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  const ui = useSignedInBrowser(ctx, () => ctx.org.agents[0]!.email);
  let socketIo: (up: boolean) => void;
  beforeAll(() => void (socketIo = socketIoSwitch(ctx.stack)));

  function status() {
    return ui.panel.locator('[data-status]').getAttribute('data-status');
  }
  const syncRequests = () => ctx.stack.app.requests.byRoute()['GET /api/sync'] ?? 0;
  const badge = () => ui.panel.evaluate(() => chrome.action.getBadgeText({}));
  /** The thread's message texts, read from the side panel. */
  async function threadBodies(name: RegExp): Promise<string[]> {
    await ui.panel.getByRole('button', { name }).click();
    const items = ui.panel.getByRole('list', { name: 'Messages' }).locator('li .body');
    await items.first().waitFor();
    const bodies = await items.allTextContents();
    await ui.panel.getByRole('button', { name: 'Back to conversations' }).click();
    return bodies;
  }

  it('makes no HTTP requests at all while healthy', async () => {
    await expect.poll(status, { timeout: 10_000 }).toBe('live');
    // Connecting ends with requests (each link's catch-up, the team, the counts) around the moment
    // both links are up, which the side panel may show first: healthy is once they are over.
    const requestsOverASecond = async () => {
      const before = ctx.stack.app.requests.total();
      await new Promise((r) => setTimeout(r, 1000));
      return ctx.stack.app.requests.total() - before;
    };
    await expect.poll(requestsOverASecond, { timeout: 15_000 }).toBe(0);
    const server = ctx.stack.app.requests.byRoute();
    const auth = ctx.stack.supabaseRequests!.total();
    await new Promise((r) => setTimeout(r, 30_000)); // ten periods of the 3-second polling it replaces
    expect(ctx.stack.app.requests.byRoute()).toEqual(server); // by route: a failure names the request
    expect(ctx.stack.supabaseRequests!.total() - auth).toBe(0);
    expect(await status()).toBe('live');
  }, 45_000);

  /** How many of the server's sockets receive new messages' rows, and how many only their ids (Realtime has the rows). */
  const rowsPaths = async () => ({
    socket: (await ctx.stack.app.io.in(ROWS_BY_SOCKET).fetchSockets()).length,
    realtime: (await ctx.stack.app.io.in(ROWS_BY_REALTIME).fetchSockets()).length,
  });

  it('is degraded with Realtime down and Socket.IO up, and messages still arrive', async () => {
    // Healthy: one copy per message, the rows over Realtime and only the ids over Socket.IO.
    await expect.poll(rowsPaths, { timeout: 10_000 }).toEqual({ socket: 0, realtime: 1 });
    ctx.stack.realtime!.setAvailable(false);
    await expect.poll(status, { timeout: 10_000 }).toBe('degraded');
    // Realtime down: the worker says so, and Socket.IO carries the rows again.
    await expect.poll(rowsPaths, { timeout: 10_000 }).toEqual({ socket: 1, realtime: 0 });
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'via Socket.IO only', profileName: 'Sam' });
    await ui.panel.getByRole('button', { name: /Sam/ }).getByLabel('1 unread').waitFor({ timeout: 10_000 });
    // The Reconnect button rebuilds the sockets at once (it stays while Realtime is down).
    let connections = 0;
    const count = () => connections++;
    ctx.stack.app.io.on('connection', count);
    await ui.panel.getByRole('button', { name: 'Reconnect' }).click();
    await expect.poll(() => connections, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    ctx.stack.app.io.off('connection', count);
    ctx.stack.realtime!.setAvailable(true);
    await expect.poll(status, { timeout: 20_000 }).toBe('live');
  });

  it('polls only while both sockets are down, stops when one is back, and loses or doubles nothing', async () => {
    const from = customer();
    await ctx.stack.inbound({ from, to: ctx.org.number, body: 'before the outage', profileName: 'Pat' });
    await ui.panel.getByRole('button', { name: /Pat/ }).getByLabel('1 unread').waitFor({ timeout: 10_000 });

    const before = syncRequests();
    ctx.stack.realtime!.setAvailable(false);
    socketIo(false);
    await expect.poll(status, { timeout: 15_000 }).toBe('polling');
    // Messages keep arriving and being stored while both sockets are down.
    for (let i = 1; i <= 3; i++) await ctx.stack.inbound({ from, to: ctx.org.number, body: `during the outage ${i}`, profileName: 'Pat' });
    await ui.panel.getByRole('button', { name: /Pat/ }).getByLabel('4 unread').waitFor({ timeout: 20_000 });
    expect(syncRequests()).toBeGreaterThan(before);

    socketIo(true);
    // Not the Reconnect button: it goes away if the socket's own retry wins the race.
    await ui.panel.evaluate(() => window.switchboard!.reconnect());
    await expect.poll(status, { timeout: 15_000 }).toBe('degraded');
    const afterRestore = syncRequests();
    await new Promise((r) => setTimeout(r, 12_000)); // longer than the polling interval
    expect(syncRequests()).toBeLessThanOrEqual(afterRestore + 1); // at most the reconnect's own catch-up

    ctx.stack.realtime!.setAvailable(true);
    await expect.poll(status, { timeout: 20_000 }).toBe('live');
    await ctx.stack.inbound({ from, to: ctx.org.number, body: 'after the outage', profileName: 'Pat' });
    await ui.panel.getByRole('button', { name: /Pat/ }).getByLabel('5 unread').waitFor({ timeout: 10_000 });
    await expect.poll(badge, { timeout: 5000 }).toBe('6'); // Sam's 1 + Pat's 5 (the icon is drawn at most once a second)
    expect(await threadBodies(/Pat/)).toEqual(['before the outage', 'during the outage 1', 'during the outage 2', 'during the outage 3', 'after the outage']);
  }, 90_000);

  it('restores everything after Chrome stops the worker, and nothing is lost or doubled', async () => {
    const from = customer();
    await ctx.stack.inbound({ from, to: ctx.org.number, body: 'before the stop', profileName: 'Wes' });
    await ui.panel.getByRole('button', { name: /Wes/ }).getByLabel('1 unread').waitFor({ timeout: 10_000 });

    const cdp = await ui.browser.context.newCDPSession(ui.panel);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await expect.poll(() => ctx.stack.app.io.engine.clientsCount, { timeout: 10_000 }).toBe(0);
    for (let i = 1; i <= 3; i++) await ctx.stack.inbound({ from, to: ctx.org.number, body: `while stopped ${i}`, profileName: 'Wes' });

    // Nothing wakes the worker but its watchdog alarm.
    await ui.panel.getByRole('button', { name: /Wes/ }).getByLabel('4 unread').waitFor({ timeout: 45_000 });
    await expect.poll(status, { timeout: 15_000 }).toBe('live');
    await ctx.stack.inbound({ from, to: ctx.org.number, body: 'after the restart', profileName: 'Wes' });
    await ui.panel.getByRole('button', { name: /Wes/ }).getByLabel('5 unread').waitFor({ timeout: 10_000 });
    expect(await threadBodies(/Wes/)).toEqual(['before the stop', 'while stopped 1', 'while stopped 2', 'while stopped 3', 'after the restart']);
  }, 90_000);

  it('offers the console commands of the original guide in the side panel', async () => {
    const s = await ui.panel.evaluate(() => window.switchboard!.status());
    expect(s).toMatchObject({ overall: 'live', realtime: 'connected', socket: 'connected' });
    const connectsBefore = ctx.stack.app.requests.total();
    await ui.panel.evaluate(() => window.dispatchEvent(new CustomEvent('reconnect_websockets')));
    await expect.poll(() => ctx.stack.app.requests.total(), { timeout: 10_000 }).toBeGreaterThan(connectsBefore); // its catch-up
    await expect.poll(status, { timeout: 15_000 }).toBe('live');
  });
});

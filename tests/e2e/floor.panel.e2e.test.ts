import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloorResponse } from '../../lib/contract/reports';
import { allViolationsIn } from '../support/axe';
import { signedInBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';
import { api, customer } from '../support/stack';
import { until } from '../support/wait';

/**
 * The side panel's compact floor (docs/reports.md, "Floor"): a lead sees it, their own team first,
 * live as conversations arrive; an agent does not; and once no page shows it, events no longer make
 * the background read `/api/floor`, as the server's own request log says.
 */
describe('The side panel’s floor', () => {
  /** Every `/api/floor` request the server received (Fastify logs each incoming request at info). */
  const floorReads: string[] = [];
  const log = {
    write(line: string) {
      if (line.includes('"incoming request"') && line.includes('/api/floor')) floorReads.push(line);
    },
  };
  const ctx = useTestStack({ orgs: { org: 3 }, env: { LOG_LEVEL: 'info' }, log });
  const admin = () => ctx.org.agents[0]!;
  const lead = () => ctx.org.agents[1]!;
  const agent = () => ctx.org.agents[2]!;
  let leadUi: Awaited<ReturnType<typeof signedInBrowser>>;
  let agentUi: Awaited<ReturnType<typeof signedInBrowser>>;

  beforeAll(async () => {
    expect((await api(ctx.stack, admin().token, `/api/admin/agents/${lead().id}/role`, 'POST', { role: 'lead' })).status).toBe(200);
    // Two teams without channels; the lead is in "Support", which comes after "Billing" by name.
    for (const name of ['Billing', 'Support']) {
      const team = await api<{ id: string }>(ctx.stack, admin().token, '/api/admin/teams', 'POST', { name, assignment: 'off', defaultCapacity: 3 });
      if (name === 'Support')
        expect((await api(ctx.stack, admin().token, `/api/admin/teams/${team.body.id}/members/${lead().id}`, 'PUT', {})).status).toBe(200);
    }
    expect((await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'First customer' })).status).toBe(200);
    [leadUi, agentUi] = await Promise.all([signedInBrowser(ctx.stack, lead().email), signedInBrowser(ctx.stack, agent().email)]);
  });
  afterAll(async () => {
    await Promise.all([leadUi?.browser.close(), agentUi?.browser.close()]);
  });

  const strip = (page: Page) => page.getByRole('region', { name: 'Floor' });
  const toggle = (page: Page) => strip(page).getByRole('button', { name: 'Floor' });
  const line = (page: Page, team: string) => strip(page).getByRole('listitem').filter({ hasText: team });
  /** Longer than the feed's gap between reads (FLOOR_GAP_MS), so a read that was due has happened. */
  const gap = () => new Promise((resolve) => setTimeout(resolve, 1_500));
  const figure = (page: Page, team: string, k: string) => line(page, team).locator(`[data-count="${k}"] dd`).textContent();

  it('shows a lead the floor per team, their own team first, and a new conversation without reloading', async () => {
    const { panel } = leadUi;
    expect(await toggle(panel).getAttribute('aria-expanded')).toBe('false');
    await toggle(panel).click();
    await until(async () => (await strip(panel).getByRole('listitem').count()) === 3, { what: 'the floor’s teams' });
    const names = await strip(panel).locator('.floor-strip-name').allTextContents();
    expect(names).toEqual(['SupportYour team', 'Billing', 'No team']);
    const floor = (await api<FloorResponse>(ctx.stack, lead().token, '/api/floor')).body.teams.find((t) => t.teamId === null)!;
    expect([floor.open, floor.queued, floor.slaBreached]).toEqual([1, 0, 0]);
    expect([await figure(panel, 'No team', 'open'), await figure(panel, 'No team', 'queued'), await figure(panel, 'No team', 'slaBreached')]).toEqual([
      '1',
      '0',
      '0',
    ]);
    // The two agents in no team (the lead is in Support): available and connected, as routing counts them.
    const ready = floor.agents.filter((a) => a.availability === 'available' && a.connected).length;
    expect([floor.agents.length, await figure(panel, 'No team', 'available')]).toEqual([2, `${ready} of 2`]);

    for (const scheme of ['light', 'dark'] as const) {
      await panel.emulateMedia({ colorScheme: scheme });
      expect((await allViolationsIn(panel, '.floor-strip', `side panel floor (${scheme})`)).join('\n')).toBe('');
    }
    await panel.emulateMedia({ colorScheme: 'light' });

    expect((await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Second customer' })).status).toBe(200);
    await until(async () => (await figure(panel, 'No team', 'open')) === '2', { what: 'the new conversation on the side panel’s floor', timeout: 5_000 });
  });

  it('shows an agent no floor', async () => {
    const { panel } = agentUi;
    await panel.getByText('First customer').waitFor();
    expect(await strip(panel).count()).toBe(0);
  });

  it('stops reading the floor once no page shows it, though the pages closed without their cleanup', async () => {
    const { panel, options, browser } = leadUi;
    // The options page shows the floor too (Reports). Closed, it runs none of its cleanup; the
    // side panel still shows the floor, which stays live.
    await options.getByRole('region', { name: 'Floor now' }).waitFor();
    await options.close();
    expect((await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Third customer' })).status).toBe(200);
    await until(async () => (await figure(panel, 'No team', 'open')) === '3', { what: 'the floor still live in the side panel' });
    await gap(); // the change's follow-up read, if any, is done

    // The side panel goes too, as closing it does: no cleanup runs either.
    await panel.close();
    const before = floorReads.length;
    const badge = Number(await browser.badgeText());
    for (const body of ['Fourth customer', 'Fifth customer'])
      expect((await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body })).status).toBe(200);
    // The worker heard of both (its badge counts them) and read no floor for pages that are gone.
    await until(async () => Number(await browser.badgeText()) === badge + 2, { what: 'the worker hearing of both messages' });
    await gap();
    expect(floorReads.length).toBe(before);

    // A side panel opened again shows the floor (the strip stays open): read again, with everything meanwhile.
    const again = await browser.page('sidepanel.html');
    await until(async () => (await figure(again, 'No team', 'open')) === '5', { what: 'the floor read again' });
    expect(floorReads.length).toBeGreaterThan(before);
    await again.close();
  });

  it('reads nothing while the page showing the floor is hidden, and reads again when it shows', async () => {
    const { browser } = leadUi;
    const panel = await browser.page('sidepanel.html');
    await until(async () => (await figure(panel, 'No team', 'open')) === '5', { what: 'the floor' });
    await gap();
    // What the browser does when the tab goes to the background or the window is minimised.
    const show = (visible: boolean) =>
      panel.evaluate((v) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (v ? 'visible' : 'hidden') });
        document.dispatchEvent(new Event('visibilitychange'));
      }, visible);
    await show(false);
    const before = floorReads.length;
    const badge = Number(await browser.badgeText());
    expect((await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Sixth customer' })).status).toBe(200);
    await until(async () => Number(await browser.badgeText()) === badge + 1, { what: 'the worker hearing of the message' });
    await gap();
    expect(floorReads.length).toBe(before);

    await show(true);
    await until(async () => (await figure(panel, 'No team', 'open')) === '6', { what: 'the floor read again once shown' });
    expect(floorReads.length).toBeGreaterThan(before);
  });
});

import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloorResponse, ReportResponse } from '../../lib/contract/reports';
import { durationFormat } from '../../lib/reports/durations';
import { csvFileName, dayIn, periodOf, presetRange, type DayRange } from '../../lib/reports/period';
import { createChannel } from '../../server/admin/commands';
import { historyWriter } from '../../server/dev/history';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { findAgent } from '../../server/inbox/repository';
import { allViolationsIn } from '../support/axe';
import { signedInBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';
import { api, customer } from '../support/stack';
import { until } from '../support/wait';

/**
 * A team lead opens Reports on the options page and sees the figures the API answers for a small
 * history written through the stack's real write paths: counts side by side, medians as durations,
 * the heat map's busiest cell, a CSV file whose rows are the server's; an agent sees no Reports.
 */
describe('The Reports view', () => {
  const ctx = useTestStack({ orgs: { org: 3 } });
  const admin = () => ctx.org.agents[0]!;
  const lead = () => ctx.org.agents[1]!;
  const agent = () => ctx.org.agents[2]!;
  let leadUi: Awaited<ReturnType<typeof signedInBrowser>>;
  let agentUi: Awaited<ReturnType<typeof signedInBrowser>>;
  let timeZone: string;
  let range: DayRange;
  let query: string;
  let expected: ReportResponse;
  let second: { id: string; number: string };
  /** Two days ago at 09:00 UTC: inside the last 7 days in any time zone. */
  const base = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() - 2, 9);
  const T = (minutes: number) => new Date(base + minutes * 60_000);

  beforeAll(async () => {
    expect((await api(ctx.stack, admin().token, `/api/admin/agents/${lead().id}/role`, 'POST', { role: 'lead' })).status).toBe(200);
    const [alice, bob] = [(await findAgent(ctx.stack.db, lead().id))!, (await findAgent(ctx.stack.db, admin().id))!];
    const [p1, p2, p3] = [customer(), customer(), customer()];
    const number = `whatsapp:+1737557${String(Date.now() % 10_000).padStart(4, '0')}`;
    second = {
      id: (await createChannel(ctx.stack.db, { organisationId: ctx.org.id, name: 'Second number', whatsappNumber: number, messagingServiceSid: newSid('MG') }))
        .id,
      number,
    };
    const h = historyWriter(ctx.stack.db);
    try {
      // One: answered in 5 min, resolved after an hour, the customer writes again (reopened), answered in 20 min.
      const one = (await h.inbound(T(0), { from: p1, to: ctx.org.number, body: 'Hello', profileName: 'Maria' })).conversationId;
      await h.inbound(T(1), { from: p1, to: ctx.org.number, body: 'Anyone?' });
      await h.reply(T(5), alice, one, { body: 'Hi Maria' });
      await h.status(T(60), alice, one, { status: 'resolved' });
      await h.inbound(T(120), { from: p1, to: ctx.org.number, body: 'One more question' });
      await h.reply(T(140), bob, one, { body: 'Sure' });
      // Two: the same hour a day later, answered in 1 h 20 min, then a next response in 2 min.
      const two = (await h.inbound(T(24 * 60), { from: p2, to: ctx.org.number, body: 'Order status?' })).conversationId;
      await h.reply(T(24 * 60 + 80), alice, two, { body: 'It left today' });
      await h.inbound(T(24 * 60 + 90), { from: p2, to: ctx.org.number, body: 'Thanks! When does it arrive?' });
      await h.reply(T(24 * 60 + 92), alice, two, { body: 'Tomorrow' });
      await h.status(T(24 * 60 + 95), alice, two, { status: 'resolved' });
      // Three, on the second number: unanswered.
      await h.inbound(T(24 * 60 + 200), { from: p3, to: second.number, body: 'Hello from the other number' });
      sla.one = one;
      sla.two = two;
      sla.three = (await ctx.stack.db.query<{ id: string }>('select id from conversations where channel_id = $1', [second.id])).rows[0]!.id;
    } finally {
      await h.close();
    }
    await slaClocks();
    leadUi = await signedInBrowser(ctx.stack, lead().email);
    agentUi = await signedInBrowser(ctx.stack, agent().email);
    // What the page asks for by default (the last 7 days of the browser's zone), asked of the API.
    timeZone = await leadUi.options.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    range = presetRange('last7', dayIn(Date.now(), timeZone));
    query = new URLSearchParams({ ...periodOf(range, timeZone), timeZone }).toString();
    const answer = await api<ReportResponse>(ctx.stack, lead().token, `/api/reports?${query}`);
    expect(answer.status).toBe(200);
    expected = answer.body;
  });
  /**
   * SLA clocks on the three conversations, as routing would have kept them (the numbers answer to no
   * team, so none started by itself), in two teams: each met or missed by hand below.
   */
  const sla = { one: '', two: '', three: '', support: '' };
  async function slaClocks() {
    const team = async (name: string) =>
      (await api<{ id: string }>(ctx.stack, admin().token, '/api/admin/teams', 'POST', { name, assignment: 'off', defaultCapacity: 3 })).body.id;
    const [support, sales] = [await team('Support'), await team('Sales')];
    sla.support = support;
    const day = 24 * 60;
    const clocks: Array<[string, string, string, number, number | null]> = [
      [sla.one, 'first_response', support, 60, 5], // met
      [sla.one, 'next_response', support, 130, 140], // missed
      [sla.two, 'first_response', sales, day + 60, day + 80], // missed
      [sla.two, 'next_response', support, day + 100, day + 92], // met
      [sla.two, 'resolution', sales, day + 95, day + 95], // met at the due time
      [sla.three, 'first_response', sales, day + 260, null], // still running past due: missed
    ];
    for (const [conversation, kind, teamId, due, stopped] of clocks)
      await ctx.stack.db.query(
        `insert into sla_clocks (conversation_id, kind, cycle, organisation_id, team_id, target_minutes, started_at, due_at, stopped_at)
         values ($1, $2, 1, $3, $4, 60, $5, $6, $7)`,
        [conversation, kind, ctx.org.id, teamId, T(0), T(due), stopped === null ? null : T(stopped)],
      );
  }
  afterAll(async () => {
    await Promise.all([leadUi?.browser.close(), agentUi?.browser.close()]);
  });

  const reports = (page: Page) => page.getByRole('region', { name: 'Reports' });
  const card = (page: Page, name: string) => reports(page).getByRole('listitem', { name, exact: true });
  const pair = (page: Page, figure: string, term: string) =>
    card(page, figure)
      .locator('div')
      .filter({ has: page.getByText(term, { exact: true }) })
      .locator('dd');

  it('shows a lead Reports, not the admin sections, with the figures the API answers', async () => {
    const { options } = leadUi;
    const nav = options.getByRole('navigation', { name: 'Sections' });
    await nav.getByRole('link', { name: 'Reports' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Team' }).count()).toBe(0);
    await card(options, 'Opened').waitFor({ timeout: 15_000 });

    // The history by hand: three conversations opened by three customers, one reopened, two resolves.
    const f = expected.figures;
    expect([f.opened.events, f.opened.conversations, f.opened.customers]).toEqual([3, 3, 3]);
    expect([f.reopened.events, f.resolved.events, f.messagesIn.value, f.messagesOut.value]).toEqual([1, 2, 6, 4]);
    expect([f.firstResponse.medianSeconds, f.nextResponse.medianSeconds]).toEqual([20 * 60, 2 * 60]);
    for (const [figure, count] of [
      ['Opened', f.opened],
      ['Reopened', f.reopened],
      ['Resolved', f.resolved],
    ] as const)
      expect([
        await pair(options, figure, 'Events').textContent(),
        await pair(options, figure, 'Conversations').textContent(),
        await pair(options, figure, 'Customers').textContent(),
      ]).toEqual([count.events, count.conversations, count.customers].map(String));
    const say = durationFormat('en');
    expect(await pair(options, 'First response time', 'Median').textContent()).toBe(say(f.firstResponse.medianSeconds!));
    expect(await pair(options, 'First response time', '90th percentile').textContent()).toBe(say(f.firstResponse.p90Seconds!));
    expect(await pair(options, 'Resolution time', 'Median').textContent()).toBe(say(f.resolution.medianSeconds!));
    expect(await card(options, 'Messages in').locator('.reports-value').textContent()).toBe('6');
    expect(await card(options, 'Messages out').locator('.reports-value').textContent()).toBe('4');
    // Each figure says how it is computed.
    await card(options, 'Resolved')
      .getByText(/resolved twice counts as two events but one conversation/)
      .waitFor();

    // The per-agent table: the lead's row as the API counts it.
    const aliceRow = expected.agents.rows.find((r) => r.agentId === lead().id)!;
    const row = reports(options)
      .getByRole('table', { name: 'Per agent' })
      .getByRole('row', { name: new RegExp(`^${aliceRow.displayName} `) });
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells.slice(0, 6)).toEqual([
      String(aliceRow.replies),
      String(aliceRow.responses),
      String(aliceRow.conversations),
      String(aliceRow.firstResponses),
      say(aliceRow.firstResponseMedianSeconds!),
      String(aliceRow.resolved),
    ]);
    // Time busy and away: none, the lead stayed Available (time available grows while their browser is open).
    expect(cells.slice(7)).toEqual([say(0), say(0)]);
  });

  it('shows SLA met % with met and missed counts, overall and per team, as counted by hand', async () => {
    const { options } = leadUi;
    const table = reports(options).getByRole('table', { name: 'SLA met' });
    const cells = (name: string) =>
      table
        .getByRole('row', { name: new RegExp(`^${name} `) })
        .getByRole('cell')
        .allTextContents();
    await table.waitFor();
    expect(await cells('All teams')).toEqual(['33.3% (1 met, 2 missed)', '50% (1 met, 1 missed)', '100% (1 met, 0 missed)']);
    expect(await cells('Sales')).toEqual(['0% (0 met, 2 missed)', 'none', '100% (1 met, 0 missed)']);
    expect(await cells('Support')).toEqual(['100% (1 met, 0 missed)', '50% (1 met, 1 missed)', 'none']);
    expect(expected.sla.teams.map((r) => r.name)).toEqual(['Sales', 'Support']);
  });

  it('puts each hour’s messages in the heat map cell of its weekday and hour', async () => {
    const { options } = leadUi;
    const busiest = expected.heatmap.rows.reduce((a, b) => (b.messagesIn > a.messagesIn ? b : a));
    expect(busiest.messagesIn).toBe(2); // "Hello" and "Anyone?" in the same hour
    const table = reports(options).getByRole('table', { name: /Customers’ messages by day of the week/ });
    const weekday = new Intl.DateTimeFormat('en', { weekday: 'short', timeZone: 'UTC' }).format(Date.UTC(2026, 0, 4 + busiest.dayOfWeek));
    const rowOf = table.locator('tbody tr').nth(busiest.dayOfWeek - 1);
    expect(await rowOf.getByRole('rowheader').textContent()).toBe(weekday);
    expect(await rowOf.getByRole('cell').nth(busiest.hour).textContent()).toBe('2');
    const total = (await table.locator('tbody td').allTextContents()).reduce((sum, n) => sum + Number(n), 0);
    expect(total).toBe(expected.figures.messagesIn.value);
  });

  it('downloads a table as a CSV file whose rows are the server’s', async () => {
    const { options } = leadUi;
    const [download] = await Promise.all([options.waitForEvent('download'), reports(options).getByRole('button', { name: 'Download CSV: Per day' }).click()]);
    expect(download.suggestedFilename()).toBe(csvFileName('daily', range));
    const file = readFileSync((await download.path())!, 'utf8');
    expect(file.startsWith('\uFEFF')).toBe(true); // spreadsheets read accents right
    const server = await fetch(`${ctx.stack.serverUrl}/api/reports/csv?table=daily&${query}`, { headers: { authorization: `Bearer ${lead().token}` } });
    const rows = parse(file, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows).toEqual(parse(await server.text(), { bom: true, columns: true }));
    expect(rows.length).toBe(7);
    expect(rows.reduce((sum, r) => sum + Number(r.opened), 0)).toBe(3);
    // The SLA table's too: a row per scope and kind, as the server writes it.
    const [sla] = await Promise.all([options.waitForEvent('download'), reports(options).getByRole('button', { name: 'Download CSV: SLA met' }).click()]);
    expect(sla.suggestedFilename()).toBe(csvFileName('sla', range));
    const slaServer = await fetch(`${ctx.stack.serverUrl}/api/reports/csv?table=sla&${query}`, { headers: { authorization: `Bearer ${lead().token}` } });
    const slaRows = parse(readFileSync((await sla.path())!, 'utf8'), { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(slaRows).toEqual(parse(await slaServer.text(), { bom: true, columns: true }));
    expect(slaRows.filter((r) => r.scope === 'organisation').map((r) => r.kind)).toEqual(['firstResponse', 'nextResponse', 'resolution']);
  });

  it('narrows every figure to a channel, then to an agent, as the API does', async () => {
    const { options } = leadUi;
    const filters = reports(options).getByRole('form', { name: 'Report period and filters' });
    const opened = () => pair(options, 'Opened', 'Events').textContent();
    await filters.getByLabel('Channel').selectOption({ label: 'Second number' });
    const byChannel = (await api<ReportResponse>(ctx.stack, lead().token, `/api/reports?${query}&channel=${second.id}`)).body.figures;
    expect([byChannel.opened.events, byChannel.messagesIn.value, byChannel.firstResponse.count]).toEqual([1, 1, 0]);
    await until(async () => (await opened()) === '1', { what: 'the second number’s report' });
    expect(await card(options, 'Messages in').locator('.reports-value').textContent()).toBe('1');
    expect(await pair(options, 'First response time', 'Median').textContent()).toBe('none');

    await filters.getByLabel('Channel').selectOption({ label: 'All channels' });
    await filters.getByLabel('Agent').selectOption({ label: 'Agent 1' });
    const byAgent = (await api<ReportResponse>(ctx.stack, lead().token, `/api/reports?${query}&agent=${lead().id}`)).body.figures;
    expect(byAgent.firstResponse.count).toBe(2); // 5 min and 1 h 20 min; the admin's 20 min is not the lead's
    await until(
      async () => (await pair(options, 'First response time', 'Median').textContent()) === durationFormat('en')(byAgent.firstResponse.medianSeconds!),
      {
        what: 'the lead’s own first responses',
      },
    );
    // Opened belongs to no agent: it stays the organisation's, and says so.
    expect(await opened()).toBe('3');
    await card(options, 'Opened').getByText('the agent filter does not narrow it', { exact: false }).waitFor();
    await filters.getByLabel('Agent').selectOption({ label: 'All agents' });
  });

  it('reports custom days: one day’s figures and its CSV name, and says when a period has no conversations', async () => {
    const { options } = leadUi;
    const filters = reports(options).getByRole('form', { name: 'Report period and filters' });
    const day = dayIn(base, timeZone);
    const oneDay = (
      await api<ReportResponse>(ctx.stack, lead().token, `/api/reports?${new URLSearchParams({ ...periodOf({ first: day, last: day }, timeZone), timeZone })}`)
    ).body;
    await filters.getByLabel('Period').selectOption({ label: 'Custom' });
    await filters.getByLabel('From').fill(day);
    await filters.getByLabel('To (included)').fill(day);
    await until(async () => (await pair(options, 'Opened', 'Events').textContent()) === String(oneDay.figures.opened.events), { what: 'the one day’s report' });
    expect(await card(options, 'Messages in').locator('.reports-value').textContent()).toBe(String(oneDay.figures.messagesIn.value));
    const [download] = await Promise.all([options.waitForEvent('download'), reports(options).getByRole('button', { name: 'Download CSV: Per agent' }).click()]);
    expect(download.suggestedFilename()).toBe(`switchboard-agents-${day}_${day}.csv`);

    const quiet = dayIn(base - 3 * 86_400_000, timeZone);
    await filters.getByLabel('From').fill(quiet);
    await filters.getByLabel('To (included)').fill(quiet);
    await reports(options).getByText('No conversations in this period.').waitFor();
    await filters.getByLabel('Period').selectOption({ label: 'Last 7 days' });
    await card(options, 'Opened').waitFor();
  });

  it('shows a lead the floor live: a new conversation counts without reloading, an agent going Away moves down', async () => {
    const { options } = leadUi;
    const noTeam = reports(options).getByRole('region', { name: 'Floor now' }).getByRole('region', { name: 'No team' });
    const count = (k: string) => noTeam.locator(`[data-count="${k}"] dd`).textContent();
    const names = () => noTeam.getByRole('table').locator('tbody th').allTextContents();
    const before = (await api<FloorResponse>(ctx.stack, lead().token, '/api/floor')).body.teams.find((t) => t.teamId === null)!;
    // The history's open conversations (one reopened and answered, one unanswered), on numbers without a team; every agent available.
    expect([before.open, before.unassigned, before.agents.map((a) => a.availability)]).toEqual([2, 2, ['available', 'available', 'available']]);
    await until(async () => (await count('open')) === '2', { what: 'the floor' });
    expect(await names()).toEqual(['Agent 0', 'Agent 1', 'Agent 2']);

    // Nobody reloads: the background reads the floor again when the server tells of the message.
    expect((await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'New here' })).status).toBe(200);
    await until(async () => (await count('open')) === '3' && (await count('unassigned')) === '3', {
      what: 'the new conversation on the floor',
      timeout: 5_000,
    });

    expect((await api(ctx.stack, admin().token, '/api/routing/availability', 'PUT', { availability: 'away' })).status).toBe(200);
    await until(async () => (await names()).join() === 'Agent 1,Agent 2,Agent 0', { what: 'Agent 0 among the away', timeout: 5_000 });
    expect(
      await noTeam
        .getByRole('row', { name: /^Agent 0 / })
        .getByRole('cell')
        .first()
        .textContent(),
    ).toBe('Away');
    expect((await api(ctx.stack, admin().token, '/api/routing/availability', 'PUT', { availability: 'available' })).status).toBe(200);
  });

  it('passes axe in light and dark themes', async () => {
    const { options } = leadUi;
    for (const scheme of ['light', 'dark'] as const) {
      await options.emulateMedia({ colorScheme: scheme });
      expect((await allViolationsIn(options, '#reports', `reports (${scheme})`)).join('\n')).toBe('');
    }
    await options.emulateMedia({ colorScheme: 'light' });
  });

  it('shows an agent no Reports', async () => {
    const { options } = agentUi;
    await options.getByText('Signed in as').waitFor();
    await options.getByRole('heading', { name: 'Notifications' }).waitFor();
    expect(await options.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Reports' }).count()).toBe(0);
    expect(await reports(options).count()).toBe(0);
  });
  it('narrows the report to one team’s channels, and says each duration in business hours too', async () => {
    const { options } = leadUi;
    const say = durationFormat('en');
    // No team keeps hours here: each duration in business hours is its wall-clock one.
    const f = expected.figures;
    await card(options, 'First response time')
      .getByText(`In business hours: median ${say(f.firstResponse.medianSeconds!)}, 90th percentile ${say(f.firstResponse.p90Seconds!)}`, { exact: false })
      .waitFor();
    // The second number answers to Support: Support's report is its one unanswered conversation.
    const teamOf = (teamId: string | null) => api(ctx.stack, admin().token, `/api/admin/channels/${second.id}/team`, 'PUT', { teamId });
    const team = reports(options).getByRole('combobox', { name: 'Team' });
    expect((await teamOf(sla.support)).status).toBe(200);
    try {
      const narrowed = (await api<ReportResponse>(ctx.stack, lead().token, `/api/reports?${query}&team=${sla.support}`)).body;
      expect([narrowed.figures.opened.events, narrowed.figures.messagesIn.value, narrowed.figures.messagesOut.value]).toEqual([1, 1, 0]);
      await team.selectOption({ label: 'Support' });
      const messagesIn = card(options, 'Messages in').locator('.reports-value');
      await until(async () => (await messagesIn.textContent()) === '1', { what: 'Support’s messages in' });
      expect(await card(options, 'Messages out').locator('.reports-value').textContent()).toBe('0');
      expect(await pair(options, 'Opened', 'Events').textContent()).toBe('1');
    } finally {
      await team.selectOption({ label: 'All teams' });
      await teamOf(null);
    }
    // All teams again: the organisation's figures as the API answers them now (the floor test added a message).
    const whole = (await api<ReportResponse>(ctx.stack, lead().token, `/api/reports?${query}`)).body;
    await until(async () => (await card(options, 'Messages in').locator('.reports-value').textContent()) === String(whole.figures.messagesIn.value), {
      what: 'the whole organisation again',
    });
  });
});

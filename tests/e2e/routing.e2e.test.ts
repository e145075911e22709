import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RoutingOverview } from '../../lib/contract/routing';
import { seriousViolations } from '../support/axe';
import { showEveryone, signedInBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';
import { assignedLines, waitConnected } from '../support/routing';
import { api } from '../support/stack';
import { topRowText } from '../support/list';

/**
 * Routing end to end (issue 33): an admin sets up a team with round robin in the admin view; two
 * agents, available and connected, receive new conversations in turn (their rows say to whom, the
 * thread says by which rule); one sets Away and stops receiving; the rows show their due times.
 */
/** `get()`'s value once `ok` holds of it (polled). */
const eventually = <T>(get: () => Promise<T>, ok: (value: T) => boolean, what: string) =>
  vi.waitFor(
    async () => {
      const value = await get();
      if (!ok(value)) throw new Error(`timed out waiting for ${what}`);
      return value;
    },
    { timeout: 20_000, interval: 50 },
  );

describe('Routing in Chromium', () => {
  const ctx = useTestStack({ orgs: { org: 2 } }); // Agent 0 (admin) and Agent 1
  let admin: Awaited<ReturnType<typeof signedInBrowser>>;
  let agent: Awaited<ReturnType<typeof signedInBrowser>>;
  let n = 0;
  /** A new customer writes; the conversation's id once the server has it. */
  const newConversation = async (name: string) => {
    const from = `+1415555${String(2000 + ++n)}`;
    await ctx.stack.inbound({ from, to: ctx.org.number, body: `Hello, this is ${name}`, profileName: name });
    const { rows } = await eventually(
      () => ctx.stack.db.query<{ id: string }>('select c.id from conversations c join contacts k on k.id = c.contact_id where k.phone_e164 = $1', [from]),
      (r) => r.rows.length === 1,
      `${name}'s conversation`,
    );
    return rows[0]!.id;
  };
  /** The assignee routing gave a conversation (waits for the decision). */
  const assigneeOf = (conversationId: string) =>
    eventually(
      async () => (await assignedLines(ctx.stack, ctx.org.id, conversationId)).at(-1)?.activity.to ?? null,
      (to) => to !== null,
      'an automatic assignment',
    ) as Promise<string>;
  const row = (panel: Page, name: string) => panel.getByRole('button', { name: new RegExp(name) });

  beforeAll(async () => {
    admin = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email);
    agent = await signedInBrowser(ctx.stack, ctx.org.agents[1]!.email);
  });
  afterAll(async () => {
    await Promise.all([admin?.browser.close(), agent?.browser.close()]);
  });

  it('an admin creates a team with round robin, adds both agents, gives it the channel and an SLA, in the admin view', async () => {
    const view = admin.options.getByRole('region', { name: 'Teams', exact: true });
    const create = view.getByRole('form', { name: 'Create a team' });
    await create.getByLabel('Name').fill('Support');
    await create.getByLabel('Assignment').selectOption({ label: 'Round robin' });
    await create.getByLabel('Default capacity').fill('4');
    await create.getByRole('button', { name: 'Create a team' }).click();
    const team = view.getByRole('article', { name: 'Support' });
    await team.waitFor({ timeout: 10_000 });
    for (const name of ['Agent 0', 'Agent 1']) {
      await team.getByRole('combobox', { name: 'Add an agent to Support' }).selectOption({ label: name });
      await team.getByRole('form', { name: 'Add an agent to Support' }).getByRole('button', { name: 'Add' }).click();
      await team.getByRole('table', { name: 'Members of Support' }).getByRole('cell', { name, exact: true }).waitFor({ timeout: 10_000 });
    }
    // The box follows the server: checked once the change is made and read back.
    const channel = team.getByRole('group', { name: 'Channels Support answers' }).getByRole('checkbox');
    await channel.click();
    await expect.poll(() => channel.isChecked(), { timeout: 10_000 }).toBe(true);
    const sla = team.getByRole('form', { name: /SLA targets of Support/ });
    await sla.getByLabel('First response').fill('30');
    await sla.getByRole('button', { name: 'Save' }).click();

    // What the server now holds: the team as set up in the view.
    await eventually(
      async () => (await api<RoutingOverview>(ctx.stack, ctx.org.agents[0]!.token, '/api/routing')).body.teams,
      ([t]) =>
        !!t &&
        t.assignment === 'round_robin' &&
        t.defaultCapacity === 4 &&
        t.members.length === 2 &&
        t.channelIds.includes(ctx.org.channelId) &&
        t.sla?.firstResponseMinutes === 30,
      'the team set up',
    );
    expect((await seriousViolations(admin.options, 'admin view with a team')).join('\n')).toBe('');
  });

  it('two available, connected agents receive new conversations in turn; rows say to whom and the thread by which rule', async () => {
    await waitConnected(ctx.stack, ctx.org.agents[0]!.token, 2);
    const first = await assigneeOf(await newConversation('Quinn'));
    const second = await assigneeOf(await newConversation('Riley'));
    const third = await assigneeOf(await newConversation('Sasha'));
    expect(new Set([first, second])).toEqual(new Set([ctx.org.agents[0]!.id, ctx.org.agents[1]!.id]));
    expect(third).toBe(first);

    // Agent 1's list, everyone's (All): their own row says "you", the admin's says the admin's name.
    await showEveryone(agent.panel);
    const nameOf = (id: string) => (id === ctx.org.agents[1]!.id ? 'You' : 'Agent 0');
    await row(agent.panel, 'Quinn')
      .getByText(`Assigned to ${nameOf(first)}`)
      .waitFor({ timeout: 10_000 });
    await row(agent.panel, 'Riley')
      .getByText(`Assigned to ${nameOf(second)}`)
      .waitFor({ timeout: 10_000 });

    // The thread's activity line names the rule.
    await row(agent.panel, 'Riley').click();
    const line = second === ctx.org.agents[1]!.id ? 'Switchboard assigned this to you by round robin' : 'Switchboard assigned this to Agent 0 by round robin';
    await agent.panel.getByText(line).waitFor({ timeout: 10_000 });
    await agent.panel.getByRole('button', { name: 'Back to conversations' }).click();
  });

  it('a row shows its reply due time from the team’s SLA; Due first puts the soonest on top', async () => {
    // 30 minutes from the customer's message, less what the test took.
    await row(agent.panel, 'Quinn')
      .locator('[data-due="due"]')
      .filter({ hasText: /Reply due in \d+ min/ })
      .waitFor({ timeout: 10_000 });
    const firstRow = () => topRowText(agent.panel);
    expect(await firstRow()).toContain('Sasha'); // newest first
    await agent.panel.getByRole('button', { name: 'Due first' }).click();
    await expect.poll(firstRow).toContain('Quinn'); // the oldest customer message is due first
    await agent.panel.getByRole('button', { name: 'Due first' }).click();
    await expect.poll(firstRow).toContain('Sasha');
    expect((await seriousViolations(agent.panel, 'side panel with availability and due times')).join('\n')).toBe('');
  });

  it("lists the agent's own teams' conversations by default; All teams shows a channel no team of theirs answers", async () => {
    const other = 'whatsapp:+14155559876';
    // A second line of the organisation that no team answers (as an operator would add it).
    await ctx.stack.db.query("insert into channels (organisation_id, name, whatsapp_number) values ($1, 'Other line', $2)", [ctx.org.id, other]);
    await ctx.stack.inbound({ from: '+14155553001', to: other, body: 'Hi from the other line', profileName: 'Uma Other' });
    const teamFilter = agent.panel.getByRole('combobox', { name: 'Team' });
    expect(await teamFilter.inputValue()).toBe('mine');
    await row(agent.panel, 'Quinn').waitFor();
    await teamFilter.selectOption({ label: 'All teams' });
    await row(agent.panel, 'Uma Other').waitFor({ timeout: 10_000 });
    await teamFilter.selectOption({ label: 'My teams' });
    await row(agent.panel, 'Uma Other').waitFor({ state: 'detached' });
    await row(agent.panel, 'Quinn').waitFor();
  });

  it('an agent who sets Away stops receiving; the colleague gets the new conversations', async () => {
    const select = agent.panel.getByRole('combobox', { name: 'Your availability' });
    expect(await select.inputValue()).toBe('available');
    await select.selectOption({ label: 'Away' });
    await eventually(
      async () =>
        (await api<RoutingOverview>(ctx.stack, ctx.org.agents[0]!.token, '/api/routing')).body.agents.find((a) => a.agentId === ctx.org.agents[1]!.id),
      (a) => a?.availability === 'away',
      'Agent 1 away',
    );
    // Agent 0 sees it beside Agent 1's name in the team bar.
    await admin.panel.getByRole('list', { name: 'Team' }).locator('[data-availability="away"]').getByText('Away').waitFor({ timeout: 10_000 });

    for (const name of ['Tatum', 'Uma']) expect(await assigneeOf(await newConversation(name))).toBe(ctx.org.agents[0]!.id);
    await row(agent.panel, 'Uma').getByText('Assigned to Agent 0').waitFor({ timeout: 10_000 });
    // The choice survives a reload of the side panel (it comes from the server through storage).
    await agent.panel.reload();
    await agent.panel.getByRole('combobox', { name: 'Your availability' }).waitFor();
    expect(await agent.panel.getByRole('combobox', { name: 'Your availability' }).inputValue()).toBe('away');
  });
});

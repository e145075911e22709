import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BADGE_SELECTOR } from '../../lib/overlay/badge-element';
import { allViolationsIn, seriousViolations } from '../support/axe';
import { showEveryone } from '../support/browser';
import { useSignedInBrowser, useTestStack } from '../support/fixture';
import { api, connectSocket, customer, type TestSocket } from '../support/stack';

/**
 * The extension's pages checked by axe-core (a checker no one here wrote): the side panel's list,
 * the new status views, a thread with every kind of line, the composer, the snooze choices and
 * the bulk bar, in light and dark; the options page; a CRM page with badges. No serious or
 * critical violation.
 */
describe('Accessibility (axe-core)', () => {
  const ctx = useTestStack({ orgs: { org: 2 } });
  const ui = useSignedInBrowser(ctx, () => ctx.org.agents[0]!.email);
  const agent = () => ctx.org.agents[0]!;

  const violations = seriousViolations;
  const conversationOf = async (sid: string) =>
    (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [sid])).rows[0]!.conversation_id;

  let colleague: TestSocket;
  afterAll(() => colleague?.close());

  beforeAll(async () => {
    // A colleague online: the team bar shows.
    colleague = await connectSocket(ctx.stack, ctx.org.agents[1]!.token);
    // Maria's number is on the demo CRM page; her thread gets every kind of line.
    const maria = await ctx.stack.inbound({ from: '+14155550134', to: ctx.org.number, body: 'Hi, where is my parcel?', profileName: 'Maria Garcia' });
    const mariaId = await conversationOf(maria.params.MessageSid!);
    await api(ctx.stack, agent().token, `/api/conversations/${mariaId}/messages`, 'POST', { id: randomUUID(), body: 'It left the warehouse today.' });
    await api(ctx.stack, agent().token, `/api/conversations/${mariaId}/notes`, 'POST', { id: randomUUID(), body: 'VIP customer' });
    await ctx.stack.inbound({
      from: '+14155550134',
      to: ctx.org.number,
      body: '',
      location: { latitude: 40.4168, longitude: -3.7038, label: 'Puerta del Sol' },
      profileName: 'Maria Garcia',
    });
    await api(ctx.stack, agent().token, `/api/conversations/${mariaId}/assign`, 'POST', { assigneeId: ctx.org.agents[1]!.id });
    await api(ctx.stack, agent().token, `/api/conversations/${mariaId}/status`, 'POST', { status: 'resolved' });
    await api(ctx.stack, agent().token, `/api/conversations/${mariaId}/status`, 'POST', { status: 'open' });
    await ctx.stack.inbound({ from: '+14155550134', to: ctx.org.number, body: 'Thanks!', profileName: 'Maria Garcia' });
    // A quoted reply: its button is named by what it shows (label-content-name-mismatch, enabled in the helper).
    await ctx.stack.inbound({
      from: '+14155550134',
      to: ctx.org.number,
      body: 'Is that the one from Monday?',
      profileName: 'Maria Garcia',
      replyTo: { sid: maria.params.MessageSid!, sender: '+14155550134' },
    });
    const snoozed = await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Call me next week', profileName: 'Oliver' });
    await api(ctx.stack, agent().token, `/api/conversations/${await conversationOf(snoozed.params.MessageSid!)}/status`, 'POST', {
      status: 'snoozed',
      snoozedUntil: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    const resolved = await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'All sorted, thank you', profileName: 'Aiko' });
    await api(ctx.stack, agent().token, `/api/conversations/${await conversationOf(resolved.params.MessageSid!)}/status`, 'POST', { status: 'resolved' });
    // Jonas's reply fails (Twilio's 63016): the thread says why, and offers a template.
    const jonas = customer();
    const asked = await ctx.stack.inbound({ from: jonas, to: ctx.org.number, body: 'Do you ship to Canada?', profileName: 'Jonas' });
    ctx.stack.twilioStandIn!.failing.add(`whatsapp:${jonas}`);
    await api(ctx.stack, agent().token, `/api/conversations/${await conversationOf(asked.params.MessageSid!)}/messages`, 'POST', {
      id: randomUUID(),
      body: 'Yes we do',
    });
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`side panel in the ${scheme} theme: list, status views, bulk bar, thread, composer, snooze choices`, async () => {
      const panel = ui.panel;
      await panel.emulateMedia({ colorScheme: scheme });
      const list = panel.getByRole('list', { name: 'Conversations' });
      const status = (name: string) => panel.getByRole('group', { name: 'Status' }).getByRole('button', { name: new RegExp(`^${name}`) });
      // Maria is a colleague's: the list shows everyone's.
      await showEveryone(panel);
      await list.getByRole('button', { name: /Maria Garcia/ }).waitFor({ timeout: 15_000 });
      await panel.getByRole('list', { name: 'Team' }).waitFor({ timeout: 10_000 });
      const found = [...(await violations(panel, 'list (Open)'))];
      await status('Snoozed').click();
      await list.getByRole('button', { name: /Oliver/ }).waitFor();
      found.push(...(await violations(panel, 'list (Snoozed)')));
      await status('Resolved').click();
      await list.getByRole('button', { name: /Aiko/ }).waitFor();
      found.push(...(await violations(panel, 'list (Resolved)')));
      await status('Open').click();
      await panel.getByRole('button', { name: 'Select' }).click();
      await panel.getByRole('checkbox', { name: /Jonas/ }).check();
      await panel.getByRole('region', { name: 'Selected conversations' }).waitFor();
      found.push(...(await violations(panel, 'list with a selection')));
      await panel.getByRole('button', { name: 'Done' }).click();
      await panel.getByLabel('Search conversations').fill('a');
      await panel.getByRole('group', { name: 'Matches by status' }).waitFor();
      found.push(...(await violations(panel, 'search across statuses')));
      await panel.getByLabel('Search conversations').fill('');

      await list.getByRole('button', { name: /Maria Garcia/ }).click();
      const thread = panel.getByRole('list', { name: 'Messages' });
      await thread.getByText('Thanks!').waitFor();
      await thread.getByText(/reopened this/).waitFor();
      await thread.getByRole('button', { name: 'Replying to Customer: Hi, where is my parcel? (show it)' }).waitFor();
      found.push(...(await violations(panel, 'thread with a quoted reply, and composer')));
      // The composer: a named region whose parts have roles and names axe accepts, at any impact.
      await panel.getByRole('region', { name: 'Compose' }).getByRole('textbox', { name: 'Reply' }).waitFor();
      found.push(...(await allViolationsIn(panel, '.composer-area', 'composer')));
      await panel.getByRole('button', { name: 'Snooze', exact: true }).click();
      await panel.getByRole('group', { name: 'Snooze until' }).waitFor();
      found.push(...(await violations(panel, 'snooze choices')));
      await panel.getByRole('button', { name: 'Back to conversations' }).click();
      await list.getByRole('button', { name: /Jonas/ }).click();
      await panel.getByRole('button', { name: 'Send a template' }).waitFor({ timeout: 10_000 });
      found.push(...(await violations(panel, 'thread with a failed reply')));
      await panel.getByRole('button', { name: 'Back to conversations' }).click();
      expect(found.join('\n')).toBe('');
    });
  }

  it('options page, light and dark', async () => {
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await ui.options.emulateMedia({ colorScheme: scheme });
      await ui.options.getByRole('heading', { name: 'Notifications' }).waitFor();
      found.push(...(await violations(ui.options, `options (${scheme})`)));
    }
    expect(found.join('\n')).toBe('');
  });

  it('a CRM page with the extension’s badges', async () => {
    const page = await ui.browser.context.newPage();
    await page.goto(`${ctx.stack.serverUrl}/demo/crm`);
    await page.locator(`${BADGE_SELECTOR}[data-phone="+14155550134"]`).waitFor({ timeout: 15_000 });
    expect((await violations(page, 'CRM page')).join('\n')).toBe('');
    await page.close();
  });
});

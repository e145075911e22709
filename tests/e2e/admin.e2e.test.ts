import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../support/axe';
import { launchWithExtension, signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';
import { until } from '../support/wait';

/**
 * A team lead sets the team up without a terminal: an admin invites a colleague from the options
 * page, the colleague opens the link, sets a password, connects with the workspace URL and sees
 * the team's conversations; another admin's view follows live; an agent sees no admin view.
 */
describe('The admin view', () => {
  const ctx = useTestStack({ orgs: { org: 2 } });
  let admin: Awaited<ReturnType<typeof signedInBrowser>>;
  let agent: Awaited<ReturnType<typeof signedInBrowser>>;
  let colleague: ExtensionBrowser;

  beforeAll(async () => {
    await ctx.stack.inbound({ from: '+14155550134', to: ctx.org.number, body: 'Is anyone there?', profileName: 'Maria Garcia' });
    admin = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email);
    agent = await signedInBrowser(ctx.stack, ctx.org.agents[1]!.email);
    colleague = await launchWithExtension();
  });
  afterAll(async () => {
    await Promise.all([admin?.browser.close(), agent?.browser.close(), colleague?.close()]);
  });

  it('an agent sees no admin view; an admin sees the team, channels with their webhook URL, and passes axe', async () => {
    await agent.options.getByText('Signed in as').waitFor();
    expect(await agent.options.getByRole('heading', { name: 'Team administration' }).count()).toBe(0);
    const view = admin.options.getByRole('region', { name: 'Team administration' });
    await view.getByRole('table', { name: 'Agents' }).getByRole('cell', { name: 'Agent 1', exact: true }).waitFor({ timeout: 10_000 });
    expect(await view.getByLabel('Webhook URL for Twilio (incoming messages, HTTP POST)').inputValue()).toBe(
      `${ctx.stack.config.publicUrl}/api/webhooks/twilio/organisations/${ctx.org.id}`,
    );
    expect(await view.getByText(/Twilio last delivered a message/).count()).toBe(1);
    expect((await seriousViolations(admin.options, 'admin view')).join('\n')).toBe('');
  });

  it('invites a colleague who sets a password on the link, connects with the workspace URL and sees the team’s conversations', async () => {
    const view = admin.options.getByRole('region', { name: 'Team administration' });
    const form = view.getByRole('form', { name: 'Invite an agent' });
    await form.getByLabel('Email').fill('colleague@test.dev');
    await form.getByRole('button', { name: 'Create invitation link' }).click();
    const link = await form.getByLabel(/Send this link to the invitee/).inputValue();
    expect(link).toMatch(new RegExp(`^${ctx.stack.config.publicUrl}/invite#[\\w-]{43}$`));
    await view
      .getByRole('list', { name: 'Open invitations' })
      .getByText(/colleague@test\.dev/)
      .waitFor();

    // The colleague opens the link (the server's page), chooses a name and password.
    const page = await colleague.context.newPage();
    await page.goto(link.replace(ctx.stack.config.publicUrl, ctx.stack.serverUrl));
    // Which team, before anything is used.
    await page
      .getByRole('status')
      .getByText(/^Join .+ on Switchboard as an agent, invited by Agent 0, with colleague@test\.dev\.$/)
      .waitFor({ timeout: 10_000 });
    await page.getByLabel('Your name').fill('Carla Colleague');
    await page.getByLabel('Password', { exact: true }).fill('carla’s long password');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByRole('status').filter({ hasText: 'You are in' }).getByText('colleague@test.dev').waitFor();
    expect(await page.locator('#workspace').textContent()).toBe(ctx.stack.config.publicUrl);

    // The admin's view follows live: a member more, no open invitation.
    await view.getByRole('table', { name: 'Agents' }).getByRole('cell', { name: 'Carla Colleague', exact: true }).waitFor({ timeout: 10_000 });
    await view.getByRole('list', { name: 'Open invitations' }).waitFor({ state: 'detached' });

    // In the colleague's own extension: the workspace URL, then sign in; the team's conversations.
    const panel = await colleague.page('sidepanel.html');
    await panel.getByLabel('Workspace URL').fill(ctx.stack.serverUrl);
    await panel.getByRole('button', { name: 'Connect', exact: true }).click();
    await panel.getByLabel('Email').fill('colleague@test.dev');
    await panel.getByLabel('Password').fill('carla’s long password');
    await panel.getByRole('button', { name: 'Sign in' }).click();
    await panel.getByRole('button', { name: /Maria Garcia/ }).waitFor({ timeout: 15_000 });
    // The invitation link works once.
    const again = await page.evaluate(
      async (token) =>
        (
          await fetch('/api/invites/accept', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ token, password: 'something else entirely', displayName: 'X' }),
          })
        ).status,
      link.split('#')[1],
    );
    expect(again).toBe(410);
  });

  it('invites by e-mail: the e-mailed link signs the colleague in to the invitation page, who sets a password and joins', async () => {
    const view = admin.options.getByRole('region', { name: 'Team administration' });
    const form = view.getByRole('form', { name: 'Invite an agent' });
    await form.getByLabel('Email').fill('mailed@test.dev');
    await form.getByLabel('Send the invitation by e-mail').check();
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await form.getByRole('status').getByText('Invitation e-mailed to mailed@test.dev.').waitFor();
    await view
      .getByRole('list', { name: 'Open invitations' })
      .getByText(/mailed@test\.dev \(agent, e-mailed\)/)
      .waitFor();

    // The local stack keeps the e-mail Supabase Auth would send; the colleague opens its link.
    const mail = ctx.stack.mailbox!.messages.find((m) => m.to === 'mailed@test.dev')!;
    const page = await colleague.context.newPage();
    await page.goto(mail.link);
    await page.getByLabel('Your name').fill('Mia Mailed');
    // The session from the link is not left in the address bar.
    expect(page.url()).toBe(`${ctx.stack.config.publicUrl}/invite`);
    await page.getByLabel('Password', { exact: true }).fill('mia’s long password');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByRole('status').filter({ hasText: 'You are in' }).getByText('mailed@test.dev').waitFor();
    await view.getByRole('table', { name: 'Agents' }).getByRole('cell', { name: 'Mia Mailed', exact: true }).waitFor({ timeout: 10_000 });

    // Opened again, the e-mail's link says it was used.
    await page.goto(mail.link);
    await page
      .getByRole('alert')
      .getByText(/already used or has expired/)
      .waitFor();
    expect(await page.getByRole('button', { name: 'Join' }).isDisabled()).toBe(true);
  });

  it('a canned reply an admin adds reaches the agents’ composers; role changes show at once', async () => {
    const view = admin.options.getByRole('region', { name: 'Team administration' });
    const form = view.getByRole('form', { name: 'Add a canned reply' });
    await form.getByLabel('Shortcut').fill('welcome');
    await form.getByLabel('Text').fill('Welcome to Acme! How can we help?');
    await form.getByRole('button', { name: 'Save canned reply' }).click();
    await view.getByRole('list', { name: 'Canned replies' }).getByText('Welcome to Acme! How can we help?').waitFor();
    // The agent's side panel has it in its composer, without reconnecting.
    await agent.panel.getByRole('button', { name: /Maria Garcia/ }).click();
    await agent.panel.getByLabel('Reply').fill('/welc');
    await agent.panel
      .getByRole('listbox', { name: 'Canned replies' })
      .getByText(/Welcome to Acme/)
      .waitFor({ timeout: 10_000 });
    await agent.panel.getByLabel('Reply').fill('');
    await agent.panel.getByRole('button', { name: 'Back to conversations' }).click();

    // Its text is edited in place (the shortcut stays); deleting asks first.
    await view.getByRole('button', { name: 'Edit /welcome' }).click();
    const editing = view.getByRole('form', { name: 'Edit /welcome' });
    expect(await editing.getByLabel('Shortcut').inputValue()).toBe('welcome');
    await editing.getByLabel('Text').fill('Welcome to Acme! What can we do for you?');
    await editing.getByRole('button', { name: 'Save canned reply' }).click();
    const list = view.getByRole('list', { name: 'Canned replies' });
    await list.getByText('Welcome to Acme! What can we do for you?').waitFor({ timeout: 10_000 });
    expect(await list.getByRole('listitem').filter({ hasText: '/welcome' }).count()).toBe(1);
    admin.options.once('dialog', (d) => void d.dismiss());
    await view.getByRole('button', { name: 'Delete /welcome' }).click();
    await new Promise((r) => setTimeout(r, 500));
    expect(await list.getByRole('button', { name: 'Delete /welcome' }).count()).toBe(1);

    await view.getByLabel('Role of Agent 1').selectOption('admin');
    await agent.options.getByRole('heading', { name: 'Team administration' }).waitFor({ timeout: 10_000 });
    expect(await view.getByRole('list', { name: 'Audit log' }).getByText('Agent 0 made Agent 1 an admin').count()).toBe(1);
  });

  it('a message to a number not set up waits in the admin view, live; setting the number up brings the conversation to the agents', async () => {
    const view = admin.options.getByRole('region', { name: 'Team administration' });
    await ctx.stack.inbound({
      from: '+14155550177',
      to: 'whatsapp:+17375550999',
      body: 'Hello, <b>new</b> number?',
      profileName: 'Nora New',
      organisationId: ctx.org.id,
    });
    const waiting = view.getByRole('list', { name: 'Numbers not set up yet' });
    // Customer text, shown as text.
    await waiting.getByText('Hello, <b>new</b> number?').waitFor({ timeout: 10_000 });
    expect((await seriousViolations(admin.options, 'admin view with a number waiting')).join('\n')).toBe('');
    const form = waiting.getByRole('form', { name: 'Set up +17375550999' });
    await form.getByLabel('Channel name').fill('New line');
    await form.getByRole('button', { name: 'Set up +17375550999' }).click();
    await view.getByRole('list', { name: 'Channels' }).getByText('New line').waitFor({ timeout: 10_000 });
    await waiting.waitFor({ state: 'detached' });
    await agent.panel.getByRole('button', { name: /Nora New/ }).waitFor({ timeout: 10_000 });
    expect(
      await view
        .getByRole('list', { name: 'Audit log' })
        .getByText('Agent 0 set up +17375550999 as the channel “New line” (1 waiting message moved to the inbox)')
        .count(),
    ).toBe(1);
  });

  it('connects HubSpot from the admin view; a customer’s messages land on their HubSpot contact; disconnects', async () => {
    const hub = ctx.stack.hubspotStandIn!;
    // Maria (+1 415 555 0134, who wrote first) is in HubSpot with her number as people type it.
    const contactId = hub.addContact({ firstname: 'Maria', lastname: 'Garcia', phone: '(415) 555-0134' });
    const view = admin.options.getByRole('region', { name: 'Team administration' });
    const consentTab = admin.browser.context.waitForEvent('page');
    await view.getByRole('button', { name: 'Connect HubSpot', exact: true }).click();
    // The server's start link gives this browser its cookie; HubSpot's consent page (the stand-in
    // approves at once) sends the browser back to the server, cookie and all (SameSite=Lax).
    const tab = await consentTab;
    await tab.getByRole('heading', { name: 'HubSpot connected' }).waitFor({ timeout: 10_000 });
    expect(tab.url().startsWith(`${ctx.stack.config.publicUrl}/api/crm/oauth/callback?`)).toBe(true);
    expect(await admin.browser.context.cookies(tab.url())).toEqual([]); // the callback cleared it
    const crm = view.getByRole('definition').filter({ hasText: `HubSpot (account ${hub.oauth.portalId})` });
    await crm.waitFor({ timeout: 10_000 }); // live: the server tells the admin view
    expect(
      await view
        .getByRole('list', { name: 'Audit log' })
        .getByText(`Agent 0 connected HubSpot (account ${hub.oauth.portalId}): conversations are logged there`)
        .count(),
    ).toBe(1);
    // Check connection ran by itself; the admin runs it again from the view, step by step.
    const checks = view.getByRole('region', { name: 'Check connection' });
    await checks.getByText(/Every check passed/).waitFor({ timeout: 10_000 });
    hub.down = true;
    await checks.getByRole('button', { name: 'Check connection' }).click();
    await checks.getByText(/Something in HubSpot needs your attention/).waitFor({ timeout: 10_000 });
    expect(await checks.getByRole('list', { name: 'Connection checks' }).textContent()).toContain(
      'What to do: HubSpot did not answer: check again in a few minutes',
    );
    hub.down = false;

    // A portal that withholds a scope (as an admin's HubSpot may): the check names it and the fix;
    // connecting the same account again with it granted passes.
    hub.oauth.withheldScopes = ['crm.schemas.contacts.write'];
    try {
      const again = admin.browser.context.waitForEvent('page');
      await view.getByRole('button', { name: 'Connect HubSpot again' }).click();
      await (await again).getByRole('heading', { name: 'HubSpot connected' }).waitFor({ timeout: 10_000 });
      await checks
        .getByRole('list', { name: 'Connection checks' })
        .getByText(/crm\.schemas\.contacts\.write/)
        .first()
        .waitFor({ timeout: 10_000 });
      const listed = await checks.getByRole('list', { name: 'Connection checks' }).textContent();
      expect(listed).toContain('crm.schemas.contacts.write');
      expect(listed).toMatch(/What to do: Reconnect HubSpot/);
    } finally {
      hub.oauth.withheldScopes = [];
    }
    const fixed = admin.browser.context.waitForEvent('page');
    await view.getByRole('button', { name: 'Connect HubSpot again' }).click();
    await (await fixed).getByRole('heading', { name: 'HubSpot connected' }).waitFor({ timeout: 10_000 });
    await checks.getByText(/Every check passed/).waitFor({ timeout: 10_000 });

    await ctx.stack.inbound({ from: '+14155550134', to: ctx.org.number, body: 'Will this be on my record?' });
    await until(
      () =>
        [...hub.communications.values()].some(
          (c) => hub.associations.get(c.id)?.has(contactId) && !!c.properties.hs_communication_body?.includes('Will this be on my record?'),
        ),
      {
        what: 'the message on Maria’s HubSpot contact',
      },
    );
    expect((await seriousViolations(admin.options, 'admin view with a CRM')).join('\n')).toBe('');

    // An agent opens Maria's conversation: "Open in HubSpot" opens her record, with the conversation on it.
    await agent.panel.bringToFront();
    await agent.panel.getByRole('button', { name: /Maria Garcia/ }).click();
    const open = agent.panel.getByRole('link', { name: 'Open in HubSpot' });
    await open.waitFor({ timeout: 10_000 });
    const recordTab = agent.browser.context.waitForEvent('page');
    await open.click();
    const record = await recordTab;
    await record.getByRole('heading', { name: 'Maria Garcia' }).waitFor({ timeout: 10_000 });
    expect(await record.getByRole('list', { name: 'Activity' }).textContent()).toContain('Will this be on my record?');
    await record.close();

    // The demo CRM page shows Maria's timeline from the CRM: the message on her record.
    const demo = await agent.browser.context.newPage();
    await demo.goto(`${ctx.stack.serverUrl}/demo/crm`);
    await demo.getByRole('article', { name: 'Timeline of Maria Garcia' }).getByText('Will this be on my record?').waitFor({ timeout: 10_000 });
    expect((await seriousViolations(demo, 'demo CRM page with a timeline')).join('\n')).toBe('');
    await demo.close();

    // A customer HubSpot does not know: "Create contact" makes one, and the thread links to it.
    const stranger = '+14155550199';
    await ctx.stack.inbound({ from: stranger, to: ctx.org.number, body: 'First time writing', profileName: 'Sam Stranger' });
    await agent.panel.bringToFront();
    await agent.panel.getByRole('button', { name: 'Back to conversations' }).click();
    await agent.panel.getByRole('button', { name: /Sam Stranger/ }).click();
    await agent.panel.getByText('Not in HubSpot').waitFor({ timeout: 10_000 });
    const contacts = hub.contacts.size;
    await agent.panel.getByRole('button', { name: 'Create contact' }).click();
    await agent.panel.getByRole('link', { name: 'Open in HubSpot' }).waitFor({ timeout: 10_000 });
    expect(hub.contacts.size).toBe(contacts + 1);
    const made = [...hub.contacts.values()].find((c) => c.properties.phone === stranger)!;
    expect(made.properties).toMatchObject({ firstname: 'Sam', lastname: 'Stranger' });
    await until(
      () =>
        [...hub.communications.values()].some(
          (c) => hub.associations.get(c.id)?.has(made.id) && !!c.properties.hs_communication_body?.includes('First time writing'),
        ),
      {
        what: 'the waiting conversation on the new contact',
      },
    );

    // Another customer HubSpot does not know by this number: the agent finds the right record by name and links it.
    const lena = hub.addContact({ firstname: 'Lena', lastname: 'Lindqvist', email: 'lena@example.com' });
    await ctx.stack.inbound({ from: '+14155550188', to: ctx.org.number, body: 'From my work phone', profileName: 'L. L.' });
    await agent.panel.getByRole('button', { name: 'Back to conversations' }).click();
    await agent.panel.getByRole('button', { name: /L\. L\./ }).click();
    await agent.panel.getByRole('button', { name: 'Link to a record' }).click();
    await agent.panel.getByRole('textbox', { name: 'Find a HubSpot record' }).fill('lindq');
    await agent.panel.getByRole('button', { name: 'Find', exact: true }).click();
    await agent.panel.getByRole('button', { name: 'Link Lena Lindqvist' }).click();
    await agent.panel.getByRole('link', { name: 'Open in HubSpot' }).waitFor({ timeout: 10_000 });
    await until(
      () =>
        [...hub.communications.values()].some(
          (c) => hub.associations.get(c.id)?.has(lena) && !!c.properties.hs_communication_body?.includes('From my work phone'),
        ),
      {
        what: 'the conversation on the linked contact',
      },
    );
    await admin.options.bringToFront();

    // Disconnecting asks first: dismissed, the CRM stays connected.
    admin.options.once('dialog', (d) => void d.dismiss());
    await view.getByRole('button', { name: 'Disconnect HubSpot' }).click();
    await new Promise((r) => setTimeout(r, 500));
    expect(await view.getByRole('button', { name: 'Disconnect HubSpot' }).isVisible()).toBe(true);
    expect((await ctx.stack.db.query('select 1 from crm_connections where organisation_id = $1', [ctx.org.id])).rowCount).toBe(1);
    admin.options.once('dialog', (d) => {
      expect(d.message()).toMatch(/^Disconnect HubSpot\?/);
      void d.accept();
    });
    await view.getByRole('button', { name: 'Disconnect HubSpot' }).click();
    await view.getByRole('button', { name: 'Connect HubSpot', exact: true }).waitFor({ timeout: 10_000 });

    // Zoho CRM: the admin says which data centre the account is in, then connects.
    await view.getByLabel('Zoho CRM data centre').selectOption('eu');
    const zohoTab = admin.browser.context.waitForEvent('page');
    await view.getByRole('button', { name: 'Connect Zoho CRM', exact: true }).click();
    const zohoConsent = await zohoTab;
    await zohoConsent.getByRole('heading', { name: 'Zoho CRM connected' }).waitFor({ timeout: 10_000 });
    await view.getByRole('definition').filter({ hasText: 'Zoho CRM (account eu)' }).waitFor({ timeout: 10_000 });
    await zohoConsent.close();
    admin.options.once('dialog', (d) => void d.accept());
    await view.getByRole('button', { name: 'Disconnect Zoho CRM' }).click();
    await view.getByRole('button', { name: 'Connect Zoho CRM', exact: true }).waitFor({ timeout: 10_000 });
  });
});

/**
 * `npm run screenshots`: the side panel at 400 and 320 px in light and dark themes (also with the
 * server not answering), the options page and the admin view, as committed in docs/screenshots/
 * and shown in the README; Reports over generated history (`reports-light.png`, `reports-dark.png`). Runs the real stack (with the HubSpot stand-in connected) and the built
 * extension in Chromium (build first).
 */
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { BADGE_SELECTOR } from '../../lib/overlay/badge-element';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CrmConnectResponse } from '../../lib/contract/api';
import { saveCannedReply } from '../../server/inbox/team';
import { addTemplate, createAgent, createChannel } from '../../server/admin/commands';
import { DEMO_WHATSAPP_NUMBER } from '../../server/dev/demo/contacts';
import { seedDemoHistory } from '../../server/dev/demo/history';
import { STAND_IN_TEMPLATES } from '../../server/dev/twilio-stand-in/server';
import { showEveryone, signedInBrowser } from '../support/browser';
import { floorShots } from './screenshots-floor';
import { oauthBrowser } from '../support/oauth-browser';
import { api, connectSocket, createTestOrg, signIn, socketIoSwitch, startTestStack } from '../support/stack';

const OUT = resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const WIDTH = 400;
const NARROW = 320;
const SCHEMES = ['light', 'dark'] as const;
const HEIGHT = 680;

async function main() {
  mkdirSync(OUT, { recursive: true });
  const stack = await startTestStack();
  const org = await createTestOrg(stack, 2);
  const [me, bob] = org.agents as [(typeof org.agents)[0], (typeof org.agents)[0]];
  await stack.db.query("update agents set display_name = 'Alice' where id = $1", [me.id]);
  await stack.db.query("update agents set display_name = 'Bob' where id = $1", [bob.id]);
  await saveCannedReply(stack.db, org.id, 'hours', 'We are open Monday to Friday, 9:00 to 18:00.');
  await addTemplate(stack.db, org.id, STAND_IN_TEMPLATES[1].sid, { '1': 'Customer name', '2': 'Order number' });
  // HubSpot (the stand-in) knows Dana, not the others: the thread header's two CRM states.
  stack.hubspotStandIn!.addContact({ firstname: 'Dana', lastname: 'Whitfield', phone: '+14155550111' });
  const connect = await api<CrmConnectResponse>(stack, me.token, '/api/admin/crm/connect', 'POST', { vendor: 'hubspot' });
  await oauthBrowser().open(connect.body.authorizeUrl);
  const { browser, panel } = await signedInBrowser(stack, me.email);
  try {
    /** `<name>-light.png`, `<name>-dark.png` at 400 px and `<name>-320px-<theme>.png` at 320 px. */
    const bothWidthsBothThemes = async (name: string) => {
      for (const scheme of SCHEMES) {
        await panel.emulateMedia({ colorScheme: scheme });
        await panel.screenshot({ path: join(OUT, `${name}-${scheme}.png`) });
        await panel.setViewportSize({ width: NARROW, height: HEIGHT });
        await panel.screenshot({ path: join(OUT, `${name}-320px-${scheme}.png`) });
        await panel.setViewportSize({ width: WIDTH, height: HEIGHT });
      }
    };
    const say = (from: string, name: string, body: string, extra: object = {}) => stack.inbound({ from, to: org.number, body, profileName: name, ...extra });
    await say('+14155550111', 'Dana Whitfield', 'Hi! Is the blue sofa still in stock?');
    await say('+447700900222', 'Olu Adebayo', 'Can I change the delivery address for order B-12?');
    await say('+34612345678', 'Lucía Fernández', '¿Tienen envío a Valencia?');
    await say('+4915112345678', 'Jonas Becker', '', {
      location: { latitude: 52.5163, longitude: 13.3777, label: 'Brandenburger Tor', address: 'Pariser Platz, 10117 Berlin' },
    });
    await say('+14155550111', 'Dana Whitfield', 'And does it come in green?');
    await panel.setViewportSize({ width: WIDTH, height: HEIGHT });
    await panel.getByRole('button', { name: /Dana Whitfield/ }).waitFor({ timeout: 15_000 });
    const olu = await panel.getByRole('button', { name: /Olu Adebayo/ }).getAttribute('data-conversation-id');
    // The whole team's inbox (All), with a colleague's conversation; the default lists the agent's own.
    await showEveryone(panel);
    await api(stack, bob.token, `/api/conversations/${olu}/assign`, 'POST', { assigneeId: bob.id });
    await panel.getByText('Assigned to Bob').waitFor();

    await bothWidthsBothThemes('inbox');

    await panel.getByRole('button', { name: /Dana Whitfield/ }).click();
    const thread = panel.getByRole('list', { name: 'Messages' });
    await thread.getByText('And does it come in green?').waitFor();
    const box = panel.getByLabel('Reply');
    await box.fill('Yes, it does! Green and blue are both in stock.');
    await box.press('Enter');
    await thread.locator('li.outbound[data-status="read"], li.outbound[data-status="delivered"]').waitFor({ timeout: 15_000 });
    const conversationId = (
      await stack.db.query<{ id: string }>("select c.id from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = '+14155550111'")
    ).rows[0]!.id;
    await api(stack, bob.token, `/api/conversations/${conversationId}/notes`, 'POST', {
      id: randomUUID(),
      body: 'Dana ordered twice last month: offer free delivery.',
    });
    await thread.getByText('Private note · Bob').waitFor();
    await panel.getByRole('button', { name: 'Assign to me' }).click();
    await box.fill('/ho');
    await panel.getByRole('listbox', { name: 'Canned replies' }).waitFor();
    await panel.getByRole('link', { name: 'Open in HubSpot' }).waitFor({ timeout: 10_000 });
    await bothWidthsBothThemes('thread');
    await box.fill('');

    // A customer HubSpot does not know, at the narrowest: Not in HubSpot, Create contact, Link.
    await panel.getByRole('button', { name: 'Back to conversations' }).click();
    await panel.getByRole('button', { name: /Olu Adebayo/ }).click();
    await panel.getByText('Not in HubSpot').waitFor({ timeout: 10_000 });
    await thread.getByText('Can I change the delivery address for order B-12?').waitFor({ timeout: 10_000 });
    await panel.setViewportSize({ width: NARROW, height: HEIGHT });
    for (const scheme of SCHEMES) {
      await panel.emulateMedia({ colorScheme: scheme });
      await panel.screenshot({ path: join(OUT, `thread-not-in-crm-320px-${scheme}.png`) });
    }
    await panel.setViewportSize({ width: WIDTH, height: HEIGHT });
    await panel.getByRole('button', { name: 'Back to conversations' }).click();
    await panel.getByRole('button', { name: /Dana Whitfield/ }).click();
    await thread.getByText('And does it come in green?').waitFor({ timeout: 10_000 });

    // Conversations that end: Lucía resolved by Bob, then back when she writes again; Jonas snoozed.
    const idOf = async (phone: string) =>
      (await stack.db.query<{ id: string }>('select c.id from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = $1', [phone]))
        .rows[0]!.id;
    await api(stack, bob.token, `/api/conversations/${await idOf('+34612345678')}/status`, 'POST', { status: 'resolved' });
    await say('+34612345678', 'Lucía Fernández', 'Una pregunta más: ¿y a Madrid?');
    await api(stack, bob.token, `/api/conversations/${await idOf('+4915112345678')}/status`, 'POST', {
      status: 'snoozed',
      snoozedUntil: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    await panel.getByRole('button', { name: 'Snooze', exact: true }).click();
    await panel.getByRole('group', { name: 'Snooze until' }).waitFor();
    await panel.getByRole('button', { name: 'Back to conversations' }).focus(); // (the menu stays open)
    for (const scheme of SCHEMES) {
      await panel.emulateMedia({ colorScheme: scheme });
      await panel.screenshot({ path: join(OUT, `snooze-${scheme}.png`) });
    }
    await panel.getByRole('button', { name: 'Back to conversations' }).click();
    await panel
      .getByRole('button', { name: /Lucía Fernández/ })
      .getByText('Back: the customer wrote again')
      .waitFor({ timeout: 10_000 });
    await panel.getByRole('button', { name: 'Select' }).click();
    await panel.getByRole('checkbox', { name: /Olu Adebayo/ }).check();
    await panel.emulateMedia({ colorScheme: 'light' });
    await panel.screenshot({ path: join(OUT, 'open-back-and-bulk-light.png') });
    await panel.getByRole('button', { name: 'Done' }).click();
    await panel
      .getByRole('group', { name: 'Status' })
      .getByRole('button', { name: /^Snoozed/ })
      .click();
    await panel.getByRole('button', { name: /Jonas Becker/ }).waitFor();
    await panel.emulateMedia({ colorScheme: 'dark' });
    await panel.screenshot({ path: join(OUT, 'snoozed-dark.png') });
    await panel.getByRole('group', { name: 'Status' }).getByRole('button', { name: /^Open/ }).click();
    await panel.getByRole('button', { name: /Lucía Fernández/ }).click();
    await panel.getByText('Reopened: the customer wrote again').waitFor();
    await panel.emulateMedia({ colorScheme: 'light' });
    await panel.screenshot({ path: join(OUT, 'activity-light.png') });

    // In Arabic (the agent's choice in the options): the panel mirrored, right to left.
    await panel.evaluate(() => chrome.storage.local.set({ language: 'ar' }));
    await panel.locator('html[dir="rtl"]').waitFor();
    await panel.getByRole('button', { name: 'العودة إلى المحادثات' }).waitFor();
    await bothWidthsBothThemes('thread-arabic');
    await panel.getByRole('button', { name: 'العودة إلى المحادثات' }).click();
    await panel.getByRole('button', { name: /Dana Whitfield/ }).waitFor();
    await bothWidthsBothThemes('inbox-arabic');
    await panel.evaluate(() => chrome.storage.local.set({ language: 'auto' }));
    await panel.locator('html[dir="ltr"]').waitFor();
    await panel.getByRole('button', { name: /Lucía Fernández/ }).click();

    // The server not answering (its Socket.IO link refused here): the banner under the status line.
    const socketIo = socketIoSwitch(stack);
    socketIo(false);
    await panel.getByRole('alert').filter({ hasText: 'not answering' }).waitFor({ timeout: 15_000 });
    for (const scheme of SCHEMES) {
      await panel.emulateMedia({ colorScheme: scheme });
      await panel.screenshot({ path: join(OUT, `server-not-answering-${scheme}.png`) });
      await panel.setViewportSize({ width: NARROW, height: HEIGHT });
      await panel.screenshot({ path: join(OUT, `server-not-answering-320px-${scheme}.png`) });
      await panel.setViewportSize({ width: WIDTH, height: HEIGHT });
    }
    socketIo(true);
    await panel.locator('[data-status="live"]').waitFor({ timeout: 20_000 });

    // Search across statuses (each match says where it is), and the Undo after a resolve.
    await panel.getByRole('button', { name: 'Back to conversations' }).click();
    await panel.getByLabel('Search conversations').fill('er');
    await panel.getByRole('group', { name: 'Matches by status' }).waitFor();
    await bothWidthsBothThemes('search');
    await panel.getByLabel('Search conversations').fill('');
    await panel.getByRole('button', { name: /Olu Adebayo/ }).click();
    await panel.getByRole('button', { name: 'Resolve', exact: true }).click();
    const undo = panel.getByRole('status').getByRole('button', { name: 'Undo' });
    await undo.waitFor();
    // (Pointed at, the bar stays while it is pictured.)
    await panel.locator('.toast').hover();
    await bothWidthsBothThemes('undo');
    await undo.click();
    await panel.getByRole('button', { name: /Olu Adebayo/ }).waitFor();

    // Reports: three weeks of generated history on a second number, as `npm start`'s demo has.
    await createChannel(stack.db, { organisationId: org.id, name: 'Demo', whatsappNumber: DEMO_WHATSAPP_NUMBER, messagingServiceSid: newSid('MG') });
    await seedDemoHistory(stack.db, org.id, [me.email, bob.email]);
    const options = await browser.page('options.html');
    await options.reload();
    await options.setViewportSize({ width: 900, height: 1000 });
    await options.getByRole('region', { name: 'Team administration' }).getByRole('table', { name: 'Agents' }).waitFor({ timeout: 10_000 });
    for (const scheme of SCHEMES) {
      await options.emulateMedia({ colorScheme: scheme });
      await options.evaluate(() => window.scrollTo(0, 0));
      await options.screenshot({ path: join(OUT, `options-${scheme}.png`) });
      await options.locator('#admin-heading').evaluate((el) => el.scrollIntoView());
      await options.screenshot({ path: join(OUT, `admin-${scheme}.png`) });
    }
    // Routing: a Support team answering the first number, round robin, both agents, an SLA.
    const team = (await api<{ id: string }>(stack, me.token, '/api/admin/teams', 'POST', { name: 'Support', assignment: 'round_robin', defaultCapacity: 4 }))
      .body.id;
    for (const agent of [me, bob]) await api(stack, me.token, `/api/admin/teams/${team}/members/${agent.id}`, 'PUT', { capacity: null });
    const firstChannel = (await stack.db.query<{ id: string }>('select id from channels where organisation_id = $1 order by created_at limit 1', [org.id]))
      .rows[0]!.id;
    await api(stack, me.token, `/api/admin/channels/${firstChannel}/team`, 'PUT', { teamId: team });
    await api(stack, me.token, `/api/admin/teams/${team}/sla`, 'PUT', { firstResponseMinutes: 30, resolutionMinutes: 1440 });
    const teams = options.getByRole('region', { name: 'Teams', exact: true });
    await teams.getByText('Support').first().waitFor({ timeout: 10_000 });
    for (const scheme of SCHEMES) {
      await options.emulateMedia({ colorScheme: scheme });
      await teams.screenshot({ path: join(OUT, `teams-${scheme}.png`) });
    }
    const reports = options.locator('#reports');
    await reports.getByRole('table', { name: 'Per agent' }).waitFor({ timeout: 10_000 });
    for (const scheme of SCHEMES) {
      await options.emulateMedia({ colorScheme: scheme });
      await reports.screenshot({ path: join(OUT, `reports-${scheme}.png`) });
    }
    await options.emulateMedia({ colorScheme: 'light' });
    await options.setViewportSize({ width: 520, height: 900 });
    await options.getByRole('heading', { name: 'Notifications' }).scrollIntoViewIfNeeded();
    await options.locator('section[aria-labelledby="notifications-heading"]').screenshot({ path: join(OUT, 'notification-settings-light.png') });

    // A customer's file with the link an agent copies for a CRM record or a colleague.
    const fileSid = newSid('MM');
    await say('+34612345678', 'Lucía Fernández', 'Aquí está la factura', {
      messageSid: fileSid,
      media: [{ url: stack.twilioStandIn!.mediaUrl('pdf', fileSid), contentType: 'application/pdf' }],
    });
    await panel.emulateMedia({ colorScheme: 'light' });
    await panel.setViewportSize({ width: WIDTH, height: HEIGHT });
    if (await panel.getByRole('button', { name: 'Back to conversations' }).isVisible())
      await panel.getByRole('button', { name: 'Back to conversations' }).click();
    await panel.getByRole('button', { name: /Lucía Fernández/ }).click();
    await panel.getByRole('button', { name: 'Copy link' }).click();
    await panel.getByRole('textbox', { name: 'Link to this file' }).waitFor({ timeout: 10_000 });
    await panel.screenshot({ path: join(OUT, 'file-link-light.png') });

    // A photo (the stand-in's is 1×1 px: still a usable preview) and a quoted reply; the viewer.
    const oluPhone = '+447700900222';
    const oluFirst = (
      await stack.db.query<{ twilio_sid: string }>(
        "select m.twilio_sid from messages m join contacts ct on ct.phone_e164 = $1 join conversations c on c.contact_id = ct.id and m.conversation_id = c.id where m.direction = 'inbound' order by m.created_at limit 1",
        [oluPhone],
      )
    ).rows[0]!.twilio_sid;
    const photoSid = newSid('MM');
    await say(oluPhone, 'Olu Adebayo', 'This is the label on the parcel', {
      messageSid: photoSid,
      media: [{ url: stack.twilioStandIn!.mediaUrl('image', photoSid), contentType: 'image/png' }],
    });
    await say(oluPhone, 'Olu Adebayo', 'The new address is 12 Mill Lane, Leeds', { replyTo: { sid: oluFirst, sender: oluPhone } });
    if (await panel.getByRole('button', { name: 'Back to conversations' }).isVisible())
      await panel.getByRole('button', { name: 'Back to conversations' }).click();
    await panel.getByRole('button', { name: /Olu Adebayo/ }).click();
    await thread.getByRole('button', { name: /^Replying to Customer: Can I change the delivery address/ }).waitFor({ timeout: 10_000 });
    await thread.getByRole('button', { name: 'Photo from the customer' }).waitFor({ timeout: 10_000 });
    await panel.locator('.messages-scroller').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await bothWidthsBothThemes('photo-and-quote');
    await panel.setViewportSize({ width: NARROW, height: HEIGHT });
    await thread.getByRole('button', { name: 'Photo from the customer' }).click();
    await panel.getByRole('dialog', { name: 'Photo from the customer' }).waitFor();
    for (const scheme of SCHEMES) {
      await panel.emulateMedia({ colorScheme: scheme });
      await panel.screenshot({ path: join(OUT, `photo-viewer-320px-${scheme}.png`) });
    }
    await panel.keyboard.press('Escape');
    await panel.setViewportSize({ width: WIDTH, height: HEIGHT });

    // Outside the 24-hour window: a template whose variables say what they mean.
    // (A conversation started from a CRM page: the customer has not written yet.)
    const started = await api<{ conversation: { id: string } }>(stack, me.token, '/api/conversations', 'POST', { phone: '+819012345678' });
    await browser.worker.evaluate(() => chrome.storage.session.remove('openConversation'));
    const late = await browser.page('sidepanel.html');
    await late.setViewportSize({ width: NARROW, height: HEIGHT });
    await late.locator(`[data-conversation-id="${started.body.conversation.id}"]`).click({ timeout: 15_000 });
    const templates = late.getByRole('form', { name: 'Send a template' });
    await templates.getByLabel('Template').selectOption({ label: 'order_update (en)' });
    await templates.getByLabel('Customer name').fill('Mei');
    await templates.getByLabel('Order number').focus();
    for (const scheme of SCHEMES) {
      await late.emulateMedia({ colorScheme: scheme });
      await late.screenshot({ path: join(OUT, `template-320px-${scheme}.png`) });
    }
    await late.close();

    // A badge's hover card on the demo CRM page: who wrote, what, who has it.
    const maria = await say('+14155550134', 'Maria Garcia', 'Order #4411 arrived damaged, can you help?');
    const mariaConversation = (
      await stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [maria.params.MessageSid])
    ).rows[0]!.conversation_id;
    await api(stack, bob.token, `/api/conversations/${mariaConversation}/assign`, 'POST', { assigneeId: bob.id });
    const crm = await browser.context.newPage();
    await crm.setViewportSize({ width: 900, height: 600 });
    await crm.goto(`${stack.serverUrl}/demo/crm`);
    const badge = crm.locator(`${BADGE_SELECTOR}[data-phone="+14155550134"]`);
    await badge.waitFor({ timeout: 15_000 });
    await crm.waitForFunction((sel) => document.querySelector(`${sel}[data-phone="+14155550134"]`)?.getAttribute('data-unread') === '1', BADGE_SELECTOR);
    for (const scheme of SCHEMES) {
      await crm.emulateMedia({ colorScheme: scheme });
      await badge.hover();
      const box = (await badge.boundingBox())!;
      await crm.screenshot({
        path: join(OUT, `badge-card-${scheme}.png`),
        clip: { x: Math.max(0, box.x - 220), y: Math.max(0, box.y - 40), width: 560, height: 190 },
      });
    }
    await crm.close();

    await floorShots({
      stack,
      org,
      me,
      bob,
      panel,
      idOf,
      bothWidthsBothThemes,
      out: OUT,
      narrow: { width: NARROW, height: HEIGHT },
      wide: { width: WIDTH, height: HEIGHT },
    });

    // A large team online: the bar names a few colleagues and counts the rest.
    if (await panel.getByRole('button', { name: 'Back to conversations' }).isVisible())
      await panel.getByRole('button', { name: 'Back to conversations' }).click();
    const colleagues = ['Chen', 'Divya', 'Emeka', 'Fatima', 'Gabriel', 'Hana', 'Ivan', 'Jamila', 'Kofi', 'Lena', 'Mateo', 'Noor', 'Oskar', 'Priya'];
    const sockets = [];
    for (const [i, displayName] of colleagues.entries()) {
      const email = `colleague${i}-${org.id.slice(0, 8)}@test.dev`;
      const auth = { url: stack.config.supabaseUrl, serviceRoleKey: stack.local!.serviceRoleKey };
      await createAgent(stack.db, auth, { organisationId: org.id, email, password: 'correct horse battery', displayName });
      sockets.push(await connectSocket(stack, await signIn(stack, email, 'correct horse battery')));
    }
    await panel.getByRole('listitem', { name: /more colleagues online$/ }).waitFor({ timeout: 15_000 });
    await bothWidthsBothThemes('team-bar-large');
    for (const s of sockets) s.close();
    console.log(`Screenshots written to ${OUT}`);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

await main();

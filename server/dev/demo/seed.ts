import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { addTemplate, createAgent, createChannel, createOrganisation, setPassword } from '../../admin/commands';
import { STAND_IN_TEMPLATES } from '../twilio-stand-in/server';
import { saveCannedReply } from '../../inbox/team';
import { inboundParams, newSid, postSignedWebhook } from '../twilio-stand-in/inbound';
import { DEMO_AGENTS, DEMO_CONTACTS, DEMO_ORGANISATION, DEMO_WHATSAPP_NUMBER } from './contacts';
import { seedDemoRouting } from './routing';

export interface DemoSeed {
  organisationId: string;
  whatsappNumber: string;
  messagingServiceSid: string;
  agents: string[];
  password: string;
}

const DEMO_CANNED_REPLIES: Array<[string, string]> = [
  ['hello', 'Hi! Thanks for writing to us. How can I help?'],
  ['hours', 'We are open Monday to Friday, 9:00 to 18:00.'],
  ['thanks', 'Thank you! Is there anything else I can help with?'],
];

/** What the stand-in templates' variables mean, as the demo organisation's admin labelled them. */
const DEMO_TEMPLATE_LABELS: Record<string, Record<string, string>> = {
  follow_up: { '1': 'Customer name' },
  order_update: { '1': 'Customer name', '2': 'Order number' },
};

/**
 * Seeds the demo organisation: a channel, agents alice and bob, canned replies, routing (a team
 * answering the channel: `./routing.ts`), and one inbound
 * message from each demo contact, posted as signed Twilio webhooks through the real endpoint.
 * Resumable: every step looks before it writes, so a start interrupted at any moment (Ctrl+C
 * during the first `npm start`) is finished by the next one. The agents' password is the one in
 * local.json; when local.json never got it, a new one is set on both agents.
 */
export async function seedDemo(
  db: pg.Pool,
  opts: {
    supabase: { url: string; serviceRoleKey: string };
    webhookUrl: string;
    /** The URL Twilio signs (PUBLIC_URL + path), when it differs from where we post. */
    signatureUrl?: string;
    twilio: { accountSid: string; authToken: string };
    existing?: DemoSeed;
  },
): Promise<DemoSeed> {
  const orgId =
    (await db.query<{ id: string }>('select id from organisations where name = $1 order by created_at, id limit 1', [DEMO_ORGANISATION])).rows[0]?.id ??
    (await createOrganisation(db, DEMO_ORGANISATION)).id;
  let channel = (
    await db.query<{ messaging_service_sid: string }>('select messaging_service_sid from channels where whatsapp_number = $1', [DEMO_WHATSAPP_NUMBER])
  ).rows[0];
  if (!channel) {
    const messagingServiceSid = newSid('MG');
    await createChannel(db, { organisationId: orgId, name: 'Demo WhatsApp', whatsappNumber: DEMO_WHATSAPP_NUMBER, messagingServiceSid });
    channel = { messaging_service_sid: messagingServiceSid };
  }
  // The local Twilio stand-in's templates belong to the demo organisation.
  for (const t of STAND_IN_TEMPLATES) await addTemplate(db, orgId, t.sid, DEMO_TEMPLATE_LABELS[t.friendly_name]);

  const known = opts.existing?.organisationId === orgId ? opts.existing.password : undefined;
  const password = known ?? randomBytes(6).toString('base64url');
  for (const a of DEMO_AGENTS) {
    const user = (
      await db.query<{ id: string; agent: boolean }>(
        'select u.id, a.id is not null as agent from auth.users u left join agents a on a.id = u.id where lower(u.email) = lower($1)',
        [a.email],
      )
    ).rows[0];
    if (!user) await createAgent(db, opts.supabase, { organisationId: orgId, email: a.email, password, displayName: a.displayName });
    else {
      if (!user.agent) await db.query('insert into agents (id, organisation_id, display_name) values ($1, $2, $3)', [user.id, orgId, a.displayName]);
      if (!known) await setPassword(opts.supabase, user.id, password);
    }
  }
  for (const [shortcut, text] of DEMO_CANNED_REPLIES) await saveCannedReply(db, orgId, shortcut, text);
  await seedDemoRouting(db, orgId, DEMO_WHATSAPP_NUMBER);
  for (const c of DEMO_CONTACTS) {
    const seeded = await db.query(
      'select 1 from conversations cv join contacts ct on ct.id = cv.contact_id where cv.organisation_id = $1 and ct.phone_e164 = $2',
      [orgId, c.phone],
    );
    if (seeded.rowCount) continue;
    const params = inboundParams({ accountSid: opts.twilio.accountSid, from: c.phone, to: DEMO_WHATSAPP_NUMBER, body: c.message, profileName: c.name });
    const res = await postSignedWebhook(opts.webhookUrl, opts.twilio.authToken, params, opts.signatureUrl);
    if (!res.ok) throw new Error(`seeding a demo message failed: ${res.status} ${await res.text()}`);
  }
  return {
    organisationId: orgId,
    whatsappNumber: DEMO_WHATSAPP_NUMBER,
    messagingServiceSid: channel.messaging_service_sid,
    agents: DEMO_AGENTS.map((a) => a.email),
    password,
  };
}

import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { addTemplate, createAgent, createChannel, createOrganisation } from '../../admin/commands';
import { STAND_IN_TEMPLATES } from '../twilio-stand-in/server';
import { saveCannedReply } from '../../inbox/team';
import { inboundParams, newSid, postSignedWebhook } from '../twilio-stand-in/inbound';
import { DEMO_AGENTS, DEMO_CONTACTS, DEMO_ORGANISATION, DEMO_WHATSAPP_NUMBER } from './contacts';

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

/**
 * Seeds the demo organisation once: a channel, agents alice and bob, and one inbound message
 * from each demo contact, posted as signed Twilio webhooks through the real endpoint.
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
  const found = await db.query<{ id: string; messaging_service_sid: string }>(
    `select o.id, ch.messaging_service_sid from organisations o join channels ch on ch.organisation_id = o.id
      where o.name = $1 and ch.whatsapp_number = $2`,
    [DEMO_ORGANISATION, DEMO_WHATSAPP_NUMBER],
  );
  if (found.rows[0] && opts.existing?.organisationId === found.rows[0].id) return opts.existing;
  if (found.rows[0]) throw new Error('The demo organisation exists but local.json lost its password: delete .switchboard/ to start over');

  const password = randomBytes(6).toString('base64url');
  const org = await createOrganisation(db, DEMO_ORGANISATION);
  const messagingServiceSid = newSid('MG');
  await createChannel(db, { organisationId: org.id, name: 'Demo WhatsApp', whatsappNumber: DEMO_WHATSAPP_NUMBER, messagingServiceSid });
  // The local Twilio stand-in's templates belong to the demo organisation.
  for (const t of STAND_IN_TEMPLATES) await addTemplate(db, org.id, t.sid);
  for (const a of DEMO_AGENTS) {
    await createAgent(db, opts.supabase, { organisationId: org.id, email: a.email, password, displayName: a.displayName });
  }
  for (const [shortcut, text] of DEMO_CANNED_REPLIES) await saveCannedReply(db, org.id, shortcut, text);
  for (const c of DEMO_CONTACTS) {
    const params = inboundParams({ accountSid: opts.twilio.accountSid, from: c.phone, to: DEMO_WHATSAPP_NUMBER, body: c.message, profileName: c.name });
    const res = await postSignedWebhook(opts.webhookUrl, opts.twilio.authToken, params, opts.signatureUrl);
    if (!res.ok) throw new Error(`seeding a demo message failed: ${res.status} ${await res.text()}`);
  }
  return { organisationId: org.id, whatsappNumber: DEMO_WHATSAPP_NUMBER, messagingServiceSid, agents: DEMO_AGENTS.map((a) => a.email), password };
}

import { beforeAll, describe, expect, it } from 'vitest';
import type { CrmRecordView, CrmStatus } from '../../lib/contract/api';
import { hubspotAdapter } from '../../server/crm/hubspot';
import { refreshHubSpotToken } from '../../server/crm/hubspot-oauth';
import { pipedriveAdapter, refreshPipedriveToken } from '../../server/crm/pipedrive';
import { salesforceAdapter } from '../../server/crm/salesforce';
import { refreshSalesforceToken } from '../../server/crm/salesforce-oauth';
import { CrmCallError } from '../../server/crm/types';
import { refreshZohoToken, zohoAdapter } from '../../server/crm/zoho';
import type { StandInHang } from '../../server/dev/crm-stand-in/hang';
import type { HubSpotStandIn } from '../../server/dev/crm-stand-in/hubspot';
import type { PipedriveStandIn } from '../../server/dev/crm-stand-in/pipedrive';
import type { SalesforceStandIn } from '../../server/dev/crm-stand-in/salesforce';
import type { ZohoStandIn } from '../../server/dev/crm-stand-in/zoho';
import { connectByOAuth } from '../support/crm';
import { useTestStack } from '../support/fixture';
import { api, customer, type TestOrg } from '../support/stack';
import { until } from '../support/wait';

/**
 * A CRM that accepts a call and never answers (docs/crm.md, "Timeouts"): each vendor's stand-in
 * hangs on demand, and every call fails after the configured limit (1 s here), retryably. The
 * outbox row is let go at once (not held for its 60 s claim) and written once the CRM answers
 * again, once; an agent's *Create contact* is told the CRM did not answer, and trying again makes
 * one contact, not two.
 */
describe('CRM calls that never get an answer', () => {
  const ctx = useTestStack({
    orgs: { hubspot: 1, pipedrive: 1, salesforce: 1, zoho: 1 },
    env: { CRM_CALL_TIMEOUT_MS: '1000', CRM_TOKEN_TIMEOUT_MS: '1000' },
  });
  let hub: HubSpotStandIn;
  let pd: PipedriveStandIn;
  let sf: SalesforceStandIn;
  let zoho: ZohoStandIn;

  beforeAll(async () => {
    hub = ctx.stack.hubspotStandIn!;
    pd = ctx.stack.pipedriveStandIn!;
    sf = ctx.stack.salesforceStandIn!;
    zoho = ctx.stack.zohoStandIn!;
    const admin = (org: TestOrg) => org.agents[0]!.token;
    expect(await connectByOAuth(ctx.stack, admin(ctx.hubspot), 'hubspot', `${hub.url}/oauth/authorize`)).toContain('HubSpot connected');
    expect(await connectByOAuth(ctx.stack, admin(ctx.pipedrive), 'pipedrive', `${pd.url}/oauth/authorize`)).toContain('Pipedrive connected');
    expect(await connectByOAuth(ctx.stack, admin(ctx.salesforce), 'salesforce', `${sf.url}/services/oauth2/authorize`)).toContain('Salesforce connected');
    expect(await connectByOAuth(ctx.stack, admin(ctx.zoho), 'zoho', `${zoho.url}/oauth/v2/auth`, { region: 'eu' })).toContain('Zoho CRM connected');
  });

  const outboxOf = async (phone: string) =>
    (
      await ctx.stack.db.query<{ written: boolean; last_error: string | null; claimed: boolean }>(
        `select o.written_version is not distinct from o.version as written, o.last_error, o.claimed_until > now() as claimed
           from crm_outbox o join conversations cv on cv.id = o.conversation_id join contacts ct on ct.id = cv.contact_id
          where ct.phone_e164 = $1`,
        [phone],
      )
    ).rows[0];
  /** The writer retries by its backoff; the test moves the clock by hand instead of waiting for it. */
  const retryNow = async (org: TestOrg) => {
    await ctx.stack.db.query('update crm_outbox set next_attempt_at = now() where organisation_id = $1 and written_version is distinct from version', [org.id]);
    await ctx.stack.db.query(`select pg_notify('crm_outbox', '')`);
  };

  /**
   * While `hang` holds the write's calls, a message's row fails with "did not answer" (let go, not
   * claimed); once the CRM answers again, the row is written and the CRM holds the record once.
   */
  const hangsThenWritesOnce = async (o: {
    org: TestOrg;
    hang: StandInHang;
    calls: RegExp;
    when: StandInHang['when'];
    phone: string;
    /** How many records the CRM holds with `text`. */
    records: (text: string) => number;
  }) => {
    const text = `Are you there? (${o.phone})`;
    const hungBefore = o.hang.hung;
    Object.assign(o.hang, { calls: o.calls, when: o.when });
    try {
      await ctx.stack.inbound({ from: o.phone, to: o.org.number, body: text });
      await until(async () => /did not answer/.test((await outboxOf(o.phone))?.last_error ?? ''), { what: 'the write to fail for want of an answer' });
      expect(o.hang.hung).toBeGreaterThan(hungBefore);
      expect((await outboxOf(o.phone))!.written).toBe(false);
      const status = (await api<CrmStatus>(ctx.stack, o.org.agents[0]!.token, '/api/admin/crm')).body.connection;
      expect(status?.lastError).toMatch(/did not answer.* within 1 s/);
      // A hang after the write made the record already; before it, nothing is made.
      expect(o.records(text)).toBe(o.when === 'after' ? 1 : 0);
    } finally {
      o.hang.answerAgain();
    }
    await retryNow(o.org);
    await until(async () => (await outboxOf(o.phone))?.written === true, { what: 'the write once the CRM answers again' });
    expect(o.records(text)).toBe(1);
  };
  const hubspotRecords = (text: string) => [...hub.communications.values()].filter((c) => c.properties.hs_communication_body?.includes(text)).length;

  it('every vendor’s API and token calls fail retryably at their limit, hung before the answer or in its body', async () => {
    const app = (url: string) => ({
      apiBaseUrl: url,
      appUrl: url,
      authorizeUrl: url,
      oauthUrl: url,
      clientId: 'c',
      clientSecret: 's',
      timeouts: { callMs: 300, tokenMs: 300 },
    });
    const calls: Array<[string, StandInHang, () => Promise<unknown>]> = [
      ['HubSpot', hub.hang, () => hubspotAdapter({ basePath: hub.url, accessToken: 't', timeoutMs: 300 }).searchContacts('a')],
      ['HubSpot OAuth', hub.hang, () => refreshHubSpotToken(app(hub.url), 'r')],
      ['Pipedrive', pd.hang, () => pipedriveAdapter({ apiDomain: pd.url, accessToken: 't', timeoutMs: 300 }).searchContacts('a')],
      ['Pipedrive OAuth', pd.hang, () => refreshPipedriveToken(app(pd.url), 'r')],
      ['Salesforce', sf.hang, () => salesforceAdapter({ instanceUrl: sf.url, accessToken: 't', timeoutMs: 300 }).searchContacts('a')],
      ['Salesforce OAuth', sf.hang, () => refreshSalesforceToken(app(sf.url), 'r')],
      ['Zoho', zoho.hang, () => zohoAdapter({ apiDomain: zoho.url, accessToken: 't', timeoutMs: 300 }).searchContacts('a')],
      ['Zoho OAuth', zoho.hang, () => refreshZohoToken(app(zoho.url), 'r', 'eu')],
    ];
    for (const when of ['before', 'headers'] as const) {
      for (const [what, hang, call] of calls) {
        Object.assign(hang, { calls: /./, when });
        try {
          const err = await call().then(
            () => null,
            (e: unknown) => e,
          );
          expect(err, `${what}, ${when}`).toBeInstanceOf(CrmCallError);
          expect((err as CrmCallError).retryable, `${what}, ${when}`).toBe(true);
          expect((err as CrmCallError).message, `${what}, ${when}`).toMatch(/did not answer/);
        } finally {
          hang.answerAgain();
        }
      }
    }
  });

  it('HubSpot: an upsert made and never answered fails retryably, then the communication is written once', async () => {
    const phone = customer();
    const contact = hub.addContact({ phone, firstname: 'Hana' });
    await hangsThenWritesOnce({
      org: ctx.hubspot,
      hang: hub.hang,
      calls: /^POST \/crm\/v3\/objects\/communications\/batch\/upsert/,
      when: 'after',
      phone,
      records: hubspotRecords,
    });
    expect([...hub.communications.values()].filter((c) => hub.associations.get(c.id)?.has(contact))).toHaveLength(1);
  });

  it('Pipedrive: a note answered with headers and never a body fails retryably, then is written once', async () => {
    const phone = customer();
    const person = pd.addPerson({ name: 'Pim', phones: [phone] });
    await hangsThenWritesOnce({
      org: ctx.pipedrive,
      hang: pd.hang,
      calls: /^(POST|PUT) \/api\/v1\/notes/,
      when: 'headers',
      phone,
      records: (text) => [...pd.notes.values()].filter((n) => n.person_id === person && n.content.includes(text)).length,
    });
  });

  it('Salesforce: a Task upsert answered with headers and never a body fails retryably, then is written once', async () => {
    const phone = customer();
    const contact = sf.addRecord('Contact', { LastName: 'Sato', MobilePhone: phone });
    await hangsThenWritesOnce({
      org: ctx.salesforce,
      hang: sf.hang,
      calls: /^PATCH \/services\/data\/v[\d.]+\/sobjects\/Task\//,
      when: 'headers',
      phone,
      records: (text) => sf.ofType('Task').filter((t) => t.WhoId === contact && String(t.Description).includes(text)).length,
    });
  });

  it('Zoho CRM: a note made and never answered fails retryably, then is written once', async () => {
    const phone = customer();
    const record = zoho.addRecord('Contacts', { Last_Name: 'Zed', Phone: phone });
    await hangsThenWritesOnce({
      org: ctx.zoho,
      hang: zoho.hang,
      calls: /^(POST|PUT) \/crm\/v8\/Notes/,
      when: 'after',
      phone,
      records: (text) =>
        [...zoho.notes.values()].filter((n) => `${n.Parent_Id.module.api_name}/${n.Parent_Id.id}` === record && n.Note_Content.includes(text)).length,
    });
  });

  it('HubSpot: a token refresh that never answers fails retryably, then the write goes through', async () => {
    const phone = customer();
    hub.addContact({ phone, firstname: 'Rhea' });
    hub.expireAccessTokens();
    await hangsThenWritesOnce({
      org: ctx.hubspot,
      hang: hub.hang,
      calls: /^POST \/oauth\/v1\/token/,
      when: 'before',
      phone,
      records: hubspotRecords,
    });
  });

  it('Create contact against a CRM that made the contact and never answered: a clear retryable error, and trying again makes one contact', async () => {
    const phone = customer();
    const token = ctx.hubspot.agents[0]!.token;
    const res = await ctx.stack.inbound({ from: phone, to: ctx.hubspot.number, body: 'New here' });
    const conv = (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
    const contactsWith = () => [...hub.contacts.values()].filter((c) => c.properties.phone === phone);
    Object.assign(hub.hang, { calls: /^POST \/crm\/v3\/objects\/contacts(\?|$)/, when: 'after' });
    let first;
    try {
      first = await api<{ error: string; message: string }>(ctx.stack, token, `/api/conversations/${conv}/crm/contact`, 'POST');
    } finally {
      hub.hang.answerAgain();
    }
    expect(first.status).toBe(502);
    expect(first.body).toMatchObject({ error: 'crm_unavailable', message: 'The CRM did not answer; try again in a moment.' });
    // HubSpot made it; Switchboard could not know, so this customer's create stays held (a click now would wait for it).
    expect(contactsWith()).toHaveLength(1);
    const held = await ctx.stack.db.query('select 1 from crm_creating c join conversations cv on cv.contact_id = c.contact_id where cv.id = $1', [conv]);
    expect(held.rowCount).toBe(1);
    // The hold lapses (two minutes: the clock moved by hand); the agent tries again.
    await ctx.stack.db.query(
      `update crm_creating c set started_at = now() - interval '1 hour' from conversations cv where cv.contact_id = c.contact_id and cv.id = $1`,
      [conv],
    );
    const again = await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${conv}/crm/contact`, 'POST');
    expect(again.status).toBe(200);
    expect(again.body.matched).toBe(true);
    expect(contactsWith()).toHaveLength(1);
    expect(again.body.recordUrl).toContain(`/record/0-1/${contactsWith()[0]!.id}`);
  });
});

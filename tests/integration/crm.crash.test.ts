import { describe, expect, it } from 'vitest';
import { connectCrm } from '../../server/crm/connections';
import { createSealer } from '../../server/crm/seal';
import { useTestStack } from '../support/fixture';
import { startInstance } from '../support/instance';
import { customer } from '../support/stack';
import { until } from '../support/wait';

/**
 * A server process killed (SIGKILL) while HubSpot was writing its record: the write reached
 * HubSpot, its answer never reached the server. Another instance writes the record once the dead
 * one's claim lapses, and HubSpot holds it once. The test stack itself writes nothing
 * (CRM_WRITER=off): the two instances are the writers.
 */
describe('CRM write-back: a server killed mid-write', () => {
  const ctx = useTestStack({ orgs: { a: 1 }, env: { CRM_WRITER: 'off' } });

  it('is written by another instance once the claim lapses, exactly once', async () => {
    const hub = ctx.stack.hubspotStandIn!;
    hub.tokens.add('crash-token');
    await connectCrm(ctx.stack.db, createSealer(ctx.stack.config.crm.tokenKey!), {
      organisationId: ctx.a.id,
      vendor: 'hubspot',
      accessToken: 'crash-token',
      account: String(hub.oauth.portalId),
    });
    const env = {
      CRM_TOKEN_KEY: ctx.stack.config.crm.tokenKey!.toString('base64'),
      HUBSPOT_API_BASE_URL: hub.url,
      HUBSPOT_APP_URL: hub.url,
      HUBSPOT_CLIENT_ID: hub.oauth.clientId,
      HUBSPOT_CLIENT_SECRET: hub.oauth.clientSecret,
      CRM_CLAIM_SECONDS: '3',
    };
    const phone = customer();
    const contact = hub.addContact({ firstname: 'Kim', phone });
    const holding = () => [...hub.communications.values()].filter((c) => c.properties.hs_communication_body?.includes('Written as it died'));
    const written = async () =>
      (await ctx.stack.db.query(`select 1 from crm_outbox where organisation_id = $1 and written_version = version`, [ctx.a.id])).rows.length === 1;

    hub.holdUpserts = true;
    const doomed = await startInstance(ctx.stack, env);
    try {
      await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Written as it died' });
      await until(() => holding().length === 1, { what: 'HubSpot to have written the record, its answer held' });
      await doomed.kill();
    } finally {
      hub.holdUpserts = false;
      hub.releaseHeld();
    }
    expect(await written()).toBe(false); // the dead instance never recorded it

    const survivor = await startInstance(ctx.stack, env);
    try {
      await until(written, { what: 'another instance to write the record' });
      expect(holding()).toHaveLength(1);
      expect(hub.associations.get(holding()[0]!.id)?.has(contact)).toBe(true);
    } finally {
      await survivor.stop();
    }
  });
});

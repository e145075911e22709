import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { CrmCandidate, CrmCheckResult, CrmConnectResponse, CrmRecordView, CrmStatus } from '../../lib/contract/api';
import { crmStatus, crmVendorsAvailable } from './status';
import { crmCheckRequest, crmConnectRequest, crmLinkRequest, crmLogModeRequest, crmSearchQuery } from '../../lib/contract/schemas';
import { audit } from '../audit';
import { adminOnly } from '../auth/agent';
import { HttpError, parseOr400 } from '../errors';
import type { Broadcast } from '../sockets/broadcast';
import { disconnectCrm } from './connections';
import type { CrmApp } from './oauth';
import { createAttempt, oauthStartUrl } from './oauth-attempts';
import { CrmCallError, type CrmVendor } from './types';
import { CRM_VENDORS } from './vendors';
import type { CrmWriter } from './write-back';

export interface CrmRouteDeps {
  db: pg.Pool;
  broadcast: Broadcast;
  publicUrl: () => string;
  tokenKey: Buffer | null;
  apps: Record<CrmVendor, CrmApp>;
  /** Runs *Check connection* (the writer's, with the connection's token). */
  check: CrmWriter['check'];
}

/**
 * What an agent or admin is told when their CRM call could not be made: the account waits for its
 * admin (409 `crm_needs_setup`, what to do) or for its budget (503 `crm_busy`, when to try again);
 * null for any other error.
 */
export function crmErrorAsHttp(err: unknown): HttpError | null {
  if (!(err instanceof CrmCallError)) return null;
  if (err.setup) return new HttpError(409, 'crm_needs_setup', `The CRM is not set up for Switchboard yet: ${err.setup}`);
  if (err.limit || err.heldBack)
    return new HttpError(503, 'crm_busy', `${err.message}: try again in ${Math.max(1, Math.ceil((err.retryAfterMs ?? 1000) / 1000))} s.`);
  return null;
}

/**
 * An admin connects the organisation's CRM (OAuth authorization-code flow, its browser steps in
 * oauth-routes.ts), sees how its write-back is doing, and disconnects it. Tokens never leave the
 * server: the browser only carries the code.
 */
export function registerCrmAdminRoutes(api: FastifyInstance, deps: CrmRouteDeps): void {
  const available = crmVendorsAvailable(deps);

  api.get('/api/admin/crm', { preHandler: adminOnly }, async (req): Promise<CrmStatus> => crmStatus(deps.db, req.agent.organisationId, available));

  api.post('/api/admin/crm/connect', { preHandler: adminOnly }, async (req): Promise<CrmConnectResponse> => {
    const { vendor, region } = parseOr400(crmConnectRequest, req.body);
    const driver = CRM_VENDORS[vendor];
    if (!available.includes(vendor))
      throw new HttpError(503, 'crm_unavailable', `This server has no ${driver.name} app: set its client id and secret, and CRM_TOKEN_KEY (docs/crm.md).`);
    if (driver.regions && !(region && driver.regions.includes(region)))
      throw new HttpError(400, 'bad_request', `Say where the ${driver.name} account is: region one of ${driver.regions.join(', ')}.`);
    const where = driver.regions ? region! : null;
    // Our start link, not the vendor's: opened once, it binds the attempt to the admin's browser (oauth-attempts.ts).
    const start = await createAttempt(deps.db, { organisationId: req.agent.organisationId, agentId: req.agent.id, vendor, region: where });
    return { authorizeUrl: oauthStartUrl(deps.publicUrl(), start) };
  });

  /** How conversations are logged: one record per conversation per 24 hours, or one per message (from now on). */
  api.patch('/api/admin/crm', { preHandler: adminOnly }, async (req) => {
    const { logMode } = parseOr400(crmLogModeRequest, req.body);
    const org = req.agent.organisationId;
    const { rowCount } = await deps.db.query('update crm_connections set log_mode = $2 where organisation_id = $1 and log_mode <> $2', [org, logMode]);
    if (rowCount === 0 && !(await deps.db.query('select 1 from crm_connections where organisation_id = $1', [org])).rows[0])
      throw new HttpError(404, 'not_found', 'No CRM is connected.');
    if (rowCount) {
      await audit(deps.db, req.agent, org, 'crm.log_mode', { logMode });
      deps.broadcast.teamChanged(org, 'crm');
    }
    return { ok: true };
  });

  /** *Check connection*: each step in plain words, and what to do in the CRM when one failed. */
  api.post('/api/admin/crm/check', { preHandler: adminOnly }, async (req): Promise<CrmCheckResult> => {
    const { writeTest } = parseOr400(crmCheckRequest, req.body ?? {});
    const result = await deps.check(req.agent.organisationId, { writeTest }).catch((err: unknown) => {
      throw crmErrorAsHttp(err) ?? err;
    });
    if (!result) throw new HttpError(404, 'not_found', 'No CRM is connected.');
    await audit(deps.db, req.agent, req.agent.organisationId, 'crm.checked', {
      ok: result.ok,
      failed: result.steps
        .filter((s) => s.state === 'failed')
        .map((s) => s.label)
        .join('; '),
    });
    deps.broadcast.teamChanged(req.agent.organisationId, 'crm');
    return result;
  });

  api.delete('/api/admin/crm', { preHandler: adminOnly }, async (req) => {
    const org = req.agent.organisationId;
    const { rows } = await deps.db.query<{ vendor: CrmVendor }>('select vendor from crm_connections where organisation_id = $1', [org]);
    if (!rows[0]) throw new HttpError(404, 'not_found', 'No CRM is connected.');
    await disconnectCrm(deps.db, org);
    await audit(deps.db, req.agent, org, 'crm.disconnected', { vendor: CRM_VENDORS[rows[0].vendor].name });
    deps.broadcast.teamChanged(org, 'crm');
    return { ok: true };
  });
}

type CrmWriterCalls = Pick<CrmWriter, 'recordOf' | 'searchRecords' | 'linkRecord' | 'createRecord'>;

/**
 * An agent's thread header: where the customer's CRM record is (HubSpot: the contact's page in
 * HubSpot's app), or that no record has the number, and then the two ways out: link the customer
 * to a record the agent finds, or create a contact for them. Only conversations of the agent's
 * organisation (404 otherwise); 204 when the organisation has no CRM.
 */
export function registerCrmAgentRoutes(
  api: FastifyInstance,
  deps: { db: pg.Pool; writer: CrmWriterCalls; apps: Record<CrmVendor, CrmApp>; conversationIdOf(req: FastifyRequest): string },
): void {
  /** The conversation, if it is the agent's organisation's; its customer's number, for the audit log. */
  const conversationOf = async (req: FastifyRequest) => {
    const id = deps.conversationIdOf(req);
    const { rows } = await deps.db.query<{ phone_e164: string }>(
      'select ct.phone_e164 from conversations cv join contacts ct on ct.id = cv.contact_id where cv.id = $1 and cv.organisation_id = $2',
      [id, req.agent.organisationId],
    );
    if (!rows[0]) throw new HttpError(404, 'not_found', 'No such conversation.');
    return { id, phone: rows[0].phone_e164 };
  };
  const crmCall = <T>(req: FastifyRequest, p: Promise<T>) =>
    p.catch((err: unknown) => {
      if (err instanceof HttpError) throw err;
      const answer = crmErrorAsHttp(err);
      if (answer) throw answer;
      req.log.warn({ err }, 'CRM call failed');
      throw new HttpError(502, 'crm_unavailable', 'The CRM did not answer; try again in a moment.');
    });
  const view = async (req: FastifyRequest, reply: FastifyReply, conversationId: string): Promise<CrmRecordView | undefined> => {
    const record = await crmCall(req, deps.writer.recordOf(req.agent.organisationId, conversationId));
    if (!record) return void reply.code(204).send();
    const driver = CRM_VENDORS[record.vendor];
    const recordUrl = record.remoteId ? driver.recordUrl(deps.apps[record.vendor], record, record.remoteId) : null;
    return { vendorName: driver.name, matched: record.remoteId !== null, recordUrl };
  };
  const noCrm = () => new HttpError(409, 'no_crm', 'Your organisation has no CRM connected.');

  api.get('/api/conversations/:id/crm', async (req, reply) => view(req, reply, (await conversationOf(req)).id));

  api.get('/api/conversations/:id/crm/search', async (req): Promise<CrmCandidate[]> => {
    await conversationOf(req);
    const { q } = parseOr400(crmSearchQuery, req.query);
    const found = await crmCall(req, deps.writer.searchRecords(req.agent.organisationId, q));
    if (!found) throw noCrm();
    return found;
  });

  api.put('/api/conversations/:id/crm', async (req, reply) => {
    const conversation = await conversationOf(req);
    const { recordId } = parseOr400(crmLinkRequest, req.body);
    const outcome = await crmCall(req, deps.writer.linkRecord(req.agent.organisationId, conversation.id, recordId, req.agent.id));
    if (outcome === 'no_crm') throw noCrm();
    if (outcome === 'no_record') throw new HttpError(404, 'no_record', 'The CRM has no record with that id.');
    const shown = await view(req, reply, conversation.id);
    await audit(deps.db, req.agent, req.agent.organisationId, 'crm.record_linked', {
      vendor: shown?.vendorName ?? 'CRM',
      customer: conversation.phone,
      record: recordId,
    });
    return shown;
  });

  api.post('/api/conversations/:id/crm/contact', async (req, reply) => {
    const conversation = await conversationOf(req);
    const outcome = await crmCall(req, deps.writer.createRecord(req.agent.organisationId, conversation.id, req.agent.id));
    if (outcome === 'no_crm') throw noCrm();
    const shown = await view(req, reply, conversation.id);
    await audit(deps.db, req.agent, req.agent.organisationId, 'crm.contact_created', { vendor: shown?.vendorName ?? 'CRM', customer: conversation.phone });
    return shown;
  });
}

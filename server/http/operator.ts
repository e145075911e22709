import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CrmCheckResult, WorkspaceConfig } from '../../lib/contract/api';
import { operatorCrmCheckRequest } from '../../lib/contract/schemas';
import type pg from 'pg';
import { audit } from '../audit';
import { crmErrorAsHttp } from '../crm/routes';
import { secretEquals } from '../auth/compare';
import { HttpError, parseOr400 } from '../errors';

import type { RequestCounter } from '../metrics';
import type { SwitchboardIo } from '../sockets/rooms';

/**
 * What extensions, operators and load balancers ask an instance. `GET /api/config` is public (the
 * extension's settings from one workspace URL). `GET /api/health` is public (200 when
 * PostgreSQL answers). With `Authorization: Bearer <OPERATOR_TOKEN>` only: how busy this instance
 * is, with no data and no identities; without a configured token those routes are off (404).
 */
export function registerOperatorRoutes(
  app: FastifyInstance,
  deps: {
    token: string | null;
    io: SwitchboardIo;
    requests: RequestCounter;
    db: pg.Pool;
    client: WorkspaceConfig;
    /** *Check connection* of an organisation's CRM (the writer's), for `npm run admin -- crm-check`. */
    crmCheck(organisationId: string, o: { writeTest: boolean }): Promise<CrmCheckResult | null>;
  },
): void {
  // What an extension needs besides the workspace URL the agent typed (public values only).
  app.get('/api/config', async (): Promise<WorkspaceConfig> => deps.client);
  app.get('/api/health', async () => {
    await deps.db.query('select 1');
    return { status: 'ok' };
  });
  const operator = async (req: FastifyRequest) => {
    if (!deps.token) throw new HttpError(404, 'not_found', 'operator routes are off: set OPERATOR_TOKEN');
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ') || !secretEquals(header.slice(7), deps.token)) throw new HttpError(401, 'unauthorized', 'operator token required');
  };
  app.get('/api/socket', { preHandler: operator }, async () => ({ status: 'up', connections: deps.io.engine.clientsCount, path: '/socket.io' }));
  app.get('/api/metrics', { preHandler: operator }, async () => ({ requests: deps.requests.byRoute(), sockets: deps.io.engine.clientsCount }));
  app.post('/api/operator/crm/check', { preHandler: operator }, async (req): Promise<CrmCheckResult> => {
    const { organisationId, writeTest } = parseOr400(operatorCrmCheckRequest, req.body);
    const result = await deps.crmCheck(organisationId, { writeTest }).catch((err: unknown) => {
      throw crmErrorAsHttp(err) ?? err;
    });
    if (!result) throw new HttpError(404, 'not_found', 'this organisation has no CRM connected');
    // The organisation's admins see that the operator checked (and, with writeTest, wrote to) their CRM.
    await audit(
      deps.db,
      null,
      organisationId,
      'crm.checked',
      {
        ok: result.ok,
        failed: result.steps
          .filter((s) => s.state === 'failed')
          .map((s) => s.label)
          .join('; '),
        by: 'the operator',
        writeTest,
      },
      'Operator',
    );
    return result;
  });
}

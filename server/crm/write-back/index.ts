import type pg from 'pg';
import type { Logger } from '../../logger';
import type { CrmApp } from '../oauth';
import type { Sealer } from '../seal';
import type { CrmVendor } from '../types';
import { createCrmAccounts } from './accounts';
import { createAgentCrmCalls } from './agents';
import { createConnectionCheck } from './check';
import { createCrmCustomers } from './customers';
import { createOutboxPump } from './outbox';

export { budgetShares } from './accounts';

/**
 * CRM write-back (docs/crm.md), one module per job: `accounts` (connection, token, budgets),
 * `customers` (which record a customer is), `outbox` (the pump that writes `crm_outbox`),
 * `agents` (the thread header's lookup, search, link, create), `check` (*Check connection*),
 * `record-body` (what a record says).
 */
export function createCrmWriter(deps: {
  db: pg.Pool;
  sealer: Sealer | null;
  /** Where each vendor's API is, and our app there: from the server's configuration, never from a client. */
  apps: Record<CrmVendor, CrmApp>;
  log: Logger;
  /** A link to a message's file that works from the CRM, where nobody is signed in to Switchboard. */
  mediaLink: (messageId: string, index: number) => string;
  pollMs?: number;
  /** How long a claim holds a row: longer than any CRM call, short enough to recover soon after a crash. */
  claimSeconds?: number;
}) {
  const accounts = createCrmAccounts(deps);
  const prepared = new Set<string>();
  const pump = createOutboxPump({ ...deps, accounts, prepared, customers: () => customers });
  const customers = createCrmCustomers({ db: deps.db, wake: pump.wake });
  return {
    ...createAgentCrmCalls({ db: deps.db, accounts, customers }),
    ...createConnectionCheck({ db: deps.db, accounts, prepared, wake: pump.wake }),
    start: pump.start,
    stop: pump.stop,
  };
}

export type CrmWriter = ReturnType<typeof createCrmWriter>;

import { type Current, type Handlers } from './types';

/**
 * Reports (docs/reports.md) for the options page: the worker holds the session, so it asks the
 * server. Who may see them (admins and leads) is the server's decision; an agent's request comes
 * back as its `reports_only` error.
 */
export function reportsHandlers(current: Current<'api'>) {
  return {
    'reports:get': async (query) => (await current()).api.report(query),
    'reports:channels': async () => (await current()).api.reportChannels(),
    'reports:csv': async (query) => ({ csv: await (await current()).api.reportCsv(query) }),
  } satisfies Partial<Handlers>;
}

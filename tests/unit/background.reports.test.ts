import { describe, expect, it } from 'vitest';
import type { ApiClient } from '@/lib/api/client';
import { reportsHandlers } from '@/lib/background/handlers/reports';
import type { ReportResponse } from '@/lib/contract/reports';
import { requestSchemas } from '@/lib/messaging/schemas';

const period = { from: '2026-11-01T00:00:00+01:00', to: '2026-12-01T00:00:00+01:00', timeZone: 'Europe/Berlin' };

describe('reports requests in the background', () => {
  it('asks the server for the report and for one table’s CSV with the page’s query, and answers what it says', async () => {
    const asked: unknown[] = [];
    const report = { period: { ...period } } as ReportResponse;
    const api = {
      report: async (q: unknown) => (asked.push(['report', q]), report),
      reportCsv: async (q: unknown) => (asked.push(['csv', q]), 'day,opened\r\n2026-11-01,3\r\n'),
      reportChannels: async () => ({ channels: [{ id: 'c1', name: 'Sales' }] }),
    } as unknown as ApiClient;
    const handlers = reportsHandlers(async () => ({ api }));
    const agentFilter = { ...period, agent: '5d1f1a6e-51c1-4cd2-9b1f-3a8f5a4d9c01' };
    expect(await handlers['reports:get'](agentFilter)).toBe(report);
    expect(await handlers['reports:csv']({ ...period, table: 'daily' })).toEqual({ csv: 'day,opened\r\n2026-11-01,3\r\n' });
    expect(await handlers['reports:channels']()).toEqual({ channels: [{ id: 'c1', name: 'Sales' }] });
    expect(asked).toEqual([
      ['report', agentFilter],
      ['csv', { ...period, table: 'daily' }],
    ]);
  });

  it('refuses what the server would refuse before asking it: an unknown table, a time off the quarter hour, an unknown zone', () => {
    expect(requestSchemas['reports:get'].safeParse(period).success).toBe(true);
    expect(requestSchemas['reports:csv'].safeParse({ ...period, table: 'everything' }).success).toBe(false);
    expect(requestSchemas['reports:get'].safeParse({ ...period, from: '2026-11-01T00:10:00+01:00' }).success).toBe(false);
    expect(requestSchemas['reports:get'].safeParse({ ...period, timeZone: 'Mars/Olympus' }).success).toBe(false);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** `npm run bench -- --quick` (here, after the extension build): every scenario still runs end to end and loses nothing (no timing asserted). */
describe('Benchmarks (smoke run)', () => {
  it('runs each scenario with tiny parameters and writes its results', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-smoke-'));
    const out = join(dir, 'latest.json');
    try {
      // The extension as the suite's global setup built it: rebuilt here, it would change under the other browser tests.
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out], {
        timeout: 300_000,
        env: { ...process.env, BENCH_REUSE_EXTENSION: '1' },
      });
      const r = JSON.parse(readFileSync(out, 'utf8'));
      expect(r.realtime.latency.length).toBeGreaterThan(0);
      for (const row of r.realtime.latency) expect(row).toMatchObject({ lost: 0, count: row.expected });
      expect(r.realtime.throughput.delivered).toBe(r.realtime.throughput.inserted);
      for (const row of r.webhook.latency) {
        expect(row.socketIo.lost).toBe(0);
        expect(row.realtime.lost).toBe(0);
      }
      const [polling, sockets] = r.webhook.compare;
      expect(polling.requestsPerAgentPerMinute).toBeGreaterThan(0);
      expect(sockets.requestsPerAgentPerMinute).toBe(0);
      expect(typeof polling.dbTransactionsPerAgentPerMinute).toBe('number');
      for (const row of r.sidepanel) expect(row).toMatchObject({ lost: 0, crmBadge: { lost: 0 } });
      // Messages to conversations colleagues assigned to the measured agent (issue 34's in-scope case) reach it and no colleague.
      const byLayout = (layout: string) => r.sidepanel.find((row: { layout: string }) => row.layout === layout);
      expect(byLayout('orgs of 10').colleagueHeard).toBeGreaterThan(0);
      expect(byLayout('one org, mine')).toMatchObject({ lost: 0, colleagueHeard: 0, crmBadge: { lost: 0 } });
      expect(r.connections).toMatchObject({ agents: 50, 'Socket.IO connected': 50, 'Realtime joined': 50 });
      // Every agent came back by itself after the server process was replaced.
      expect(r.reconnect).toMatchObject({ agents: 50, 'connected before': 50, reconnected: 50 });
      expect(r.presence).toMatchObject([{ 'agents (one organisation)': 20, connected: 20 }]);
      for (const step of r.ingest.steps) expect(step).toMatchObject({ rejected: 0, lost: 0, stored: step['msg/s offered'] });
      // CRM write-back: every vendor's records written, the burst too, no 429 from any CRM.
      expect(r.crm.map((row: { CRM: string }) => row.CRM)).toEqual(['HubSpot', 'Pipedrive', 'Salesforce', 'Zoho CRM']);
      for (const row of r.crm) expect(row).toMatchObject({ lost: 0, records: 3, 'burst written': row.burst, '429s': 0 });
      // The extension: sizes of what was built, the CRM overlay found every number, the worker was measured.
      expect(r.extension.bundles.map((b: { entrypoint: string }) => b.entrypoint)).toContain('content script (CRM pages)');
      expect(r.extension.crm.badges).toBe(r.extension.crm.phones + r.extension.crm.burstRows);
      expect(r.extension.worker.workerHeapEndMb).toBeGreaterThan(0);
      // The large inbox: the whole list is known, only a screenful is in the page, older history loaded.
      expect(r.extension.large.listDomRows).toBeGreaterThan(0);
      expect(r.extension.large.listDomRows).toBeLessThan(r.extension.large.conversations);
      expect(r.extension.large.threadMessagesLoaded).toBeGreaterThan(100);
      // Issue 34: the worker's heap with the inbox in scope, and fresh panels' first rows, with the worker running and stopped.
      expect(r.extension.large.workerHeapMb).toBeGreaterThan(0);
      for (const k of ['firstRowsMs', 'countsMs', 'coldFirstRowsMs', 'coldCountsMs']) expect(r.extension.large[k]).toBeGreaterThan(0);
      // The delivery scope (issue 34): each case measured; every message for the measured agent was on screen.
      expect(r.scope.cases.map((c: { case: string }) => c.case)).toEqual(['none in scope', 'in scope', 'in scope, on screen', 'idle']);
      for (const name of ['in scope', 'in scope, on screen']) {
        const inScope = r.scope.cases.find((c: { case: string }) => c.case === name);
        expect(inScope.shown).toBe(inScope.messages);
      }
      // The floor under the side panel's figure: the same change without the extension's code, measured.
      expect(r.scope.frameFloor).toBeGreaterThan(0);
      // The live floor: every new conversation shown by a read of the lead's floor.
      expect(r.floorView).toMatchObject({ messages: 10, missed: 0 });
      expect(r.floorView.reads).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 360_000);
});

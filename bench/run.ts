import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { startRemoteStack } from './remote-stack';
import { realtimeLatency, realtimeThroughput } from './scenarios/realtime';
import { printTable } from './stats';

/**
 * `npm run bench`: every scenario, bounded in time, printing tables and writing
 * bench-results/latest.json. `--quick` runs each with tiny parameters (the smoke run of npm test).
 */
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const quick = values.quick;
const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
  date: new Date().toISOString(),
  quick,
};
const want = (name: string) => !values.only || values.only.split(',').includes(name);

if (want('realtime')) {
  const stack = await startRemoteStack();
  try {
    const rows = [];
    const sizes: Array<[number, 'orgs of 10' | 'one org']> = quick
      ? [[1, 'one org'], [10, 'orgs of 10']]
      : [[1, 'one org'], [100, 'orgs of 10'], [100, 'one org'], [1000, 'orgs of 10'], [1000, 'one org']];
    for (const [clients, layout] of sizes) {
      const row = await realtimeLatency(stack, { clients, layout, changes: quick ? 5 : clients >= 1000 ? 50 : 200, rate: 20 });
      console.error(`  realtime ${clients} clients (${layout}): p50 ${row.p50} ms, p99 ${row.p99} ms, lost ${row.lost}`);
      rows.push(row);
    }
    printTable('Realtime: insert → supabase-js postgres_changes callback, RLS on (ms)', rows as never);
    const throughput = await realtimeThroughput(stack, quick ? 1 : 5);
    printTable('Realtime: changes/s delivered to one subscriber (8 concurrent writers)', [throughput]);
    results.realtime = { latency: rows, throughput };
  } finally {
    await stack.stop();
  }
}

mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/latest.json', JSON.stringify(results, null, 2) + '\n');
console.log('\nWrote bench-results/latest.json');

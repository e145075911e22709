// Two runs of the same scenarios side by side (`npm run bench:compare -- <a.json> <b.json>`), as a
// Markdown table: the webhook latency grid and the ingest steps, each with the Node version and
// the date the run recorded. Used for Node 24 beside Node 20 (docs/node-24.md).
import { readFileSync } from 'node:fs';

interface Stats {
  p50: number;
  p95: number;
}
interface Run {
  machine: { node: string; cpus: number; cpu: string };
  date: string;
  webhook?: {
    latency: Array<{
      agents: number;
      layout: string;
      rate: number;
      socketIo: Stats;
      realtime: Stats;
      webhookMs: Stats;
      serverCpuPct: number;
      serverRssMb: number;
    }>;
  };
  ingest?: { steps: Array<Record<string, number>> };
}

const [fa, fb] = process.argv.slice(2);
if (!fa || !fb) throw new Error('usage: npm run bench:compare -- <a.json> <b.json>');
const [a, b] = [fa, fb].map((f) => JSON.parse(readFileSync(f, 'utf8')) as Run) as [Run, Run];
const na = `Node ${a.machine.node}`;
const nb = `Node ${b.machine.node}`;
const both = (x: number | undefined, y: number | undefined) => `${x ?? '–'} / ${y ?? '–'}`;
const out: string[] = [
  `Runs: ${na} at ${a.date}, ${nb} at ${b.date}, on ${a.machine.cpus} cores (${a.machine.cpu}). Each cell: ${na} / ${nb}.`,
  '',
  '### Webhook to agents (ms)',
  '',
  '| layout | agents | msg/s | Socket.IO p50 | Socket.IO p95 | Realtime p50 | Realtime p95 | webhook answer p50 | server CPU % | server RSS MB |',
  '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
];
(a.webhook?.latency ?? []).forEach((x, i) => {
  const y = b.webhook?.latency[i];
  out.push(
    `| ${x.layout} | ${x.agents} | ${x.rate} | ${both(x.socketIo.p50, y?.socketIo.p50)} | ${both(x.socketIo.p95, y?.socketIo.p95)} | ${both(x.realtime.p50, y?.realtime.p50)} | ${both(x.realtime.p95, y?.realtime.p95)} | ${both(x.webhookMs.p50, y?.webhookMs.p50)} | ${both(x.serverCpuPct, y?.serverCpuPct)} | ${both(x.serverRssMb, y?.serverRssMb)} |`,
  );
});
out.push(
  '',
  '### Ingest steps',
  '',
  '| msg/s offered | stored | answer p99 ms | server CPU ms/msg | PostgreSQL CPU ms/msg | server RSS MB |',
  '| --: | --: | --: | --: | --: | --: |',
);
(a.ingest?.steps ?? []).forEach((x, i) => {
  const y = b.ingest?.steps[i] ?? {};
  const k = (key: string) => both(x[key], y[key]);
  out.push(
    `| ${x['msg/s offered']} | ${k('msg/s stored')} | ${k('answer p99 ms')} | ${k('server CPU ms/msg')} | ${k('PostgreSQL CPU ms/msg')} | ${k('server RSS MB')} |`,
  );
});
console.log(out.join('\n'));

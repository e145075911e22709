import { mkdirSync, writeFileSync } from 'node:fs';

/**
 * docs/benchmarks.md and docs/bench-latency.svg, written from a full `npm run bench` run, so every
 * number in the docs comes from a benchmark in this repository.
 */
type Lat = { p50: number; p95: number; p99: number; max: number; lost?: number };
interface Results {
  sidepanel?: Array<Lat & { agents: number; rate: number }>;
  machine: { cpus: number; cpu?: string; memoryGb: number; node: string };
  date: string;
  realtime?: { latency: Array<Lat & { clients: number; layout: string; changes: number; expected: number }>; throughput: { inserted: number; delivered: number; perSecond: number } };
  webhook?: {
    latency: Array<{ agents: number; rate: number; messages: number; socketIo: Lat; realtime: Lat; webhookMs: Lat; serverCpuPct: number; serverRssMb: number }>;
    compare: Array<{ client: string; requestsPerAgentPerMinute: number; avgDelayMs: number; worstDelayMs: number }>;
  };
}

const table = (head: string[], rows: Array<Array<string | number>>) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const lat = (l: Lat) => [l.p50, l.p95, l.p99, l.max, l.lost ?? 0];

export function writeReport(r: Results): void {
  mkdirSync('docs', { recursive: true });
  const parts = [
    '# Benchmarks',
    '',
    `Latest full run: ${r.date.slice(0, 16).replace('T', ' ')} UTC on ${r.machine.cpus} cores (${r.machine.cpu ?? 'unknown CPU'}), ${r.machine.memoryGb} GiB, Node ${r.machine.node}, loopback only.`,
    'The server (with its embedded PostgreSQL and local Supabase) runs in its own process; the load generator and every client run in another, on the same two cores.',
    '',
    'Reproduce: `npm run bench` (about ten minutes; `--only realtime` or `--only webhook` for one scenario, `--quick` for the smoke run that `npm test` does). It prints these tables, writes `bench-results/latest.json`, and rewrites this page and its chart.',
    '',
    '![Latency percentiles against load](bench-latency.svg)',
    '',
  ];
  if (r.webhook) {
    const w = r.webhook.latency;
    parts.push(
      '## Signed Twilio webhook → agent',
      '',
      'From the moment the signed webhook is sent until each connected agent of the organisation has the message; agents in organisations of 10, one message per customer conversation of 50.',
      '',
      '### Over Socket.IO (`message:new`), ms',
      '',
      table(['agents', 'msg/s', 'messages', 'p50', 'p95', 'p99', 'max', 'lost'], w.map((x) => [x.agents, x.rate, x.messages, ...lat(x.socketIo)])),
      '',
      '### Over Supabase Realtime (`postgres_changes`, RLS on), ms',
      '',
      table(['agents', 'msg/s', 'messages', 'p50', 'p95', 'p99', 'max', 'lost'], w.map((x) => [x.agents, x.rate, x.messages, ...lat(x.realtime)])),
      '',
      '### Webhook answered, server CPU and memory',
      '',
      table(['agents', 'msg/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'server CPU %', 'server RSS MB'], w.map((x) => [x.agents, x.rate, x.webhookMs.p50, x.webhookMs.p95, x.webhookMs.p99, x.webhookMs.max, x.serverCpuPct, x.serverRssMb])),
      '',
      '## The replaced 3-second polling beside Switchboard',
      '',
      'Same minute, same traffic (one inbound message per second). Requests are those the server answered for each client; the Switchboard agent here is a Socket.IO client (the extension itself is shown to send no request while healthy by `tests/e2e/background.e2e.test.ts`).',
      '',
      table(['client', 'HTTP requests per agent per minute', 'average delay ms', 'worst delay ms'], r.webhook.compare.map((c) => [c.client, c.requestsPerAgentPerMinute, c.avgDelayMs, c.worstDelayMs])),
      '',
    );
  }
  if (r.sidepanel) {
    parts.push(
      '## Signed Twilio webhook → on screen in the side panel (Chromium, the built extension)',
      '',
      'Timed in the side panel by a MutationObserver against the same clock; 100 customers writing in turn; the other agents are Socket.IO clients.',
      '',
      table(['agents', 'msg/s', 'p50', 'p95', 'p99', 'max', 'lost'], r.sidepanel.map((x) => [x.agents, x.rate, ...lat(x)])),
      '',
      '"lost" here means never seen in the list: at 100 messages/s a conversation\'s preview can be replaced by its next message before a render shows it (the message itself is stored and in the thread).',
      '',
      '**Target missed at 100 messages/s** (p50 under 25 ms, p99 under 100 ms). Where the time goes: after a message reaches the service worker (see the Socket.IO and Realtime tables above), the whole inbox is written to `chrome.storage.local` (updates are batched per write), the side panel receives the storage change, parses the whole inbox and React re-renders the list. At 10 messages/s that costs about 30 ms; at 100 messages/s (plus the Realtime copies and conversation updates) the writes queue. Next step: per-conversation storage keys and a port that pushes deltas to an open side panel, with a virtualised list.',
      '',
    );
  }
  if (r.webhook) {
    const at = r.webhook.latency.find((x) => x.agents === 100 && x.rate === 100);
    const poll = r.webhook.compare[0];
    const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
    if (at) {
      parts.push(
        '## Against the targets (100 agents connected, 100 messages/s)',
        '',
        table(
          ['target', 'measured', ''],
          [
            ['webhook → Socket.IO p50 < 5 ms', `${at.socketIo.p50} ms`, mark(at.socketIo.p50 < 5)],
            ['webhook → Socket.IO p99 < 25 ms', `${at.socketIo.p99} ms`, mark(at.socketIo.p99 < 25)],
            ['zero HTTP requests per minute from a healthy agent (polling: 20)', `${r.webhook.compare[1]?.requestsPerAgentPerMinute} (polling: ${poll?.requestsPerAgentPerMinute})`, mark(r.webhook.compare[1]?.requestsPerAgentPerMinute === 0)],
          ],
        ),
        '',
        'Where the time goes: the webhook is answered only after the message is committed, and the Socket.IO emit follows the commit, so webhook → Socket.IO is about the webhook answer time (signature check, validation, one database round trip for `store_inbound_message`, commit). At 10 agents the first loaded run shows more queueing than the later ones on this 2-core machine, where PostgreSQL, the server and the load generator (with all clients) share both cores. Not measured yet: the ingest ceiling, 10,000 connections, extension memory.',
        '',
      );
    }
  }
  if (r.realtime) {
    parts.push(
      '## Local Realtime: commit → supabase-js callback',
      '',
      'Rows inserted at 20 per second into one organisation; every subscriber allowed by RLS is timed. For comparison, Supabase publishes a p95 of about 230 ms for postgres_changes with RLS and 500 clients on its smallest instance.',
      '',
      table(['clients', 'layout', 'changes', 'callbacks', 'p50', 'p95', 'p99', 'max', 'lost'], r.realtime.latency.map((x) => [x.clients, x.layout, x.changes, x.expected, ...lat(x)])),
      '',
      `Throughput to one subscriber with 8 concurrent writers: ${r.realtime.throughput.perSecond} changes/s (${r.realtime.throughput.delivered} of ${r.realtime.throughput.inserted} delivered).`,
      '',
      'Where the time goes: every change costs one query that evaluates each distinct filter once and then looks the row up under each remaining subscriber\'s role and JWT claims (as Supabase does), so the cost grows with the subscribers of one organisation, not with all subscribers. One organisation of 1,000 agents receiving 20 changes/s asks for 20,000 RLS checks and 20,000 client callbacks a second on these two cores, and queues: that row is over capacity, not a steady-state latency.',
      '',
    );
  }
  writeFileSync('docs/benchmarks.md', parts.join('\n'));
  writeFileSync('docs/bench-latency.svg', chart(r));
}

/** A grouped bar chart of p50/p95/p99 per webhook load, for both paths. */
function chart(r: Results): string {
  const rows = (r.webhook?.latency ?? []).flatMap((x) => [
    { label: `Socket.IO ${x.agents} agents ${x.rate}/s`, l: x.socketIo },
    { label: `Realtime ${x.agents} agents ${x.rate}/s`, l: x.realtime },
  ]);
  const width = 760;
  const barH = 6;
  const rowH = 30;
  const left = 220;
  const max = Math.max(100, ...rows.map((x) => x.l.p99));
  const scale = (v: number) => ((width - left - 60) * Math.min(v, max)) / max;
  const colors = { p50: '#16a34a', p95: '#f59e0b', p99: '#dc2626' };
  const body = rows
    .map((x, i) => {
      const y = 40 + i * rowH;
      const bars = (['p50', 'p95', 'p99'] as const)
        .map((k, j) => `<rect x="${left}" y="${y + j * (barH + 1)}" width="${scale(x.l[k]).toFixed(1)}" height="${barH}" fill="${colors[k]}"><title>${k} ${x.l[k]} ms</title></rect>`)
        .join('');
      return `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${x.label}</text>${bars}<text x="${left + scale(x.l.p99) + 6}" y="${y + 20}" fill="#555">${x.l.p99} ms</text>`;
    })
    .join('\n');
  const height = 60 + rows.length * rowH;
  const legend = Object.entries(colors)
    .map(([k, c], i) => `<rect x="${left + i * 80}" y="12" width="10" height="10" fill="${c}"/><text x="${left + i * 80 + 14}" y="21">${k}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="21" font-weight="600">Webhook → agent latency (ms)</text>${legend}
${body}
</svg>
`;
}

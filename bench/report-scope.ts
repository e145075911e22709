import type { ScopeCase, ScopeParts, ScopeResult } from './scenarios/scope';

type Row = Record<string, string | number>;

/** A row of the side-panel scenario (bench/scenarios/sidepanel.ts) as the report reads it. */
export interface PanelRow {
  agents: number;
  layout?: string;
  rate: number;
  p50: number;
  p99: number;
  lost?: number;
}

/** Issue 34's latency targets, from the side-panel scenario: webhook → on screen at 100 msg/s, p50 ≤ 25 ms and p99 ≤ 100 ms. */
const LATENCY_TARGETS = [
  { agents: 100, layout: 'orgs of 10', what: 'webhook → side panel, 100 agents in organisations of 10, 100 msg/s: p50 ≤ 25 ms, p99 ≤ 100 ms' },
  {
    agents: 1000,
    layout: 'one org, mine',
    what: 'webhook → side panel, one organisation of 1,000, in-scope messages, 100 msg/s: p50 ≤ 25 ms, p99 ≤ 100 ms',
  },
] as const;

/**
 * Issue 34's latency targets as rows of target, measured and verdict, for those the side-panel
 * results have (`inScopeOnly`: the one-organisation row alone). Met when nothing was lost and both
 * percentiles are within their limits.
 */
export function panelLatencyTargets(rows: PanelRow[] | undefined, inScopeOnly = false): Array<[string, string, string]> {
  return LATENCY_TARGETS.filter((t) => !inScopeOnly || t.layout === 'one org, mine').flatMap((t) => {
    const x = rows?.find((r) => r.agents === t.agents && r.rate === 100 && (r.layout ?? 'orgs of 10') === t.layout);
    if (!x) return [];
    const lost = x.lost ?? 0;
    const measured = `p50 ${x.p50} ms, p99 ${x.p99} ms${lost ? `, ${lost} never shown` : ''}`;
    return [[t.what, measured, !lost && x.p50 <= 25 && x.p99 <= 100 ? 'met' : '**missed**'] as [string, string, string]];
  });
}
const dash = (v: number | string | null | undefined) => (v === null || v === undefined ? '-' : v);
/** A figure with the worker's in it, starred when the service worker's thread was replaced in any of the case's windows (see WORKER_NOTE). */
const workerCell = (c: ScopeCase, v: number | string | null | undefined) => (c.workerKept === false && v !== null && v !== undefined ? `${v} *` : dash(v));
const WORKER_NOTE =
  "\\* Chromium replaced the service worker's thread during one of the case's windows: that window's worker figures (and totals) miss the old thread's share.";

/** A per-message figure with the lowest and highest of the case's windows beside it, when it had several. */
const spread = (c: ScopeCase, part: keyof ScopeParts) => {
  const v = c.perMessage?.[part];
  const xs = c.perWindow?.map((w) => w[part]);
  if (v === undefined || !xs || xs.length < 2 || Math.min(...xs) === Math.max(...xs)) return v;
  return `${v} (${Math.min(...xs)}–${Math.max(...xs)})`;
};

/** The extension's CPU per case: ms per second of wall time by part, % of one core, ms per message (with its windows' range). */
export function scopeExtensionRows(r: ScopeResult): Row[] {
  return r.cases.map((c) => ({
    case: c.case,
    'msg/s': c.rate,
    messages: c.messages,
    windows: c.windows ?? 1,
    'shown in panel': c.shown,
    'worker ms/s': workerCell(c, c.perSecond.worker),
    'side panel ms/s': c.perSecond.panel,
    'CRM page ms/s': c.perSecond.crm,
    'total ms/s': workerCell(c, c.perSecond.total),
    '% of one core': c.corePct,
    'worker ms/msg': workerCell(c, spread(c, 'worker')),
    'side panel ms/msg': dash(spread(c, 'panel')),
    'CRM page ms/msg': dash(spread(c, 'crm')),
    'total ms/msg': workerCell(c, spread(c, 'total')),
  }));
}

/** The stack's server process and PostgreSQL per case: % of one core and ms of CPU per message. */
export function scopeServerRows(r: ScopeResult): Row[] {
  return r.cases.map((c) => ({
    case: c.case,
    'msg/s': c.rate,
    messages: c.messages,
    'server % of one core': c.server.corePct,
    'server ms/msg': dash(c.server.perMessage),
    'PostgreSQL % of one core': c.postgres.corePct,
    'PostgreSQL ms/msg': dash(c.postgres.perMessage),
  }));
}

/** A markdown table, as lines. */
export const table = (head: string[], rows: Array<Array<string | number>>) => [
  `| ${head.join(' | ')} |`,
  `| ${head.map(() => '---').join(' | ')} |`,
  ...rows.map((x) => `| ${x.join(' | ')} |`),
];
const markdown = (rows: Row[]) =>
  table(
    Object.keys(rows[0] ?? {}),
    rows.map((x) => Object.values(x)),
  );
const label = (r: ScopeResult) => `\`${r.commit}\`, ${r.date.slice(0, 16).replace('T', ' ')} UTC`;
const caseOf = (r: ScopeResult | undefined, name: ScopeCase['case']) => r?.cases.find((c) => c.case === name);

/** The large-inbox figures of the extension scenario (bench/scenarios/large-inbox.ts) that issue 34 sets targets for. */
export type LargeInbox = Record<string, number | string | undefined>;

/**
 * Issue 34's targets, each for the before run and the latest, judged on the latest. The worker's
 * heap and the side panel's first rows come from the extension scenario's latest run (`large`).
 */
function targets(before: ScopeResult | undefined, now: ScopeResult | undefined, large: LargeInbox | undefined): string[] {
  const runs = [before, now].filter((x): x is ScopeResult => Boolean(x));
  const latest = runs[runs.length - 1]!;
  const fromLarge = (key: string) => (r: ScopeResult) => (r === latest && typeof large?.[key] === 'number' ? large[key] : undefined);
  const rows: Array<{ what: string; pick: (r: ScopeResult) => number | null | undefined; unit: string; limit: number | null; atMost?: boolean }> = [
    {
      what: 'none in scope: worker + side panel + CRM page, ms of CPU a second',
      pick: (r) => caseOf(r, 'none in scope')?.perSecond.total,
      unit: ' ms/s',
      limit: 10,
    },
    { what: 'none in scope: the same, % of one core', pick: (r) => caseOf(r, 'none in scope')?.corePct, unit: ' %', limit: 1 },
    {
      what: 'in scope, each message bringing its row onto the screen: worker + side panel + CRM page, ms of CPU per message',
      pick: (r) => caseOf(r, 'in scope')?.perMessage?.total,
      unit: ' ms',
      limit: 2,
    },
    {
      what: 'in scope, rows on screen: worker + side panel + CRM page, ms of CPU per message',
      pick: (r) => caseOf(r, 'in scope, on screen')?.perMessage?.total,
      unit: ' ms',
      limit: 2,
    },
    {
      what: "the floor under the side panel's figure: the browser's own cost of one message's change to the panel, with no extension code (the panel's page copied, the same change by plain DOM calls), ms per message",
      pick: (r) => r.frameFloor,
      unit: ' ms',
      limit: null,
    },
    { what: 'idle: worker + side panel + CRM page, ms of CPU a second', pick: (r) => caseOf(r, 'idle')?.perSecond.total, unit: ' ms/s', limit: null },
    { what: 'none in scope: server ms of CPU per message', pick: (r) => caseOf(r, 'none in scope')?.server.perMessage, unit: ' ms', limit: null },
    { what: 'in scope: server ms of CPU per message', pick: (r) => caseOf(r, 'in scope')?.server.perMessage, unit: ' ms', limit: null },
    { what: 'none in scope: PostgreSQL ms of CPU per message', pick: (r) => caseOf(r, 'none in scope')?.postgres.perMessage, unit: ' ms', limit: null },
    {
      what: `service worker JS heap, ${large?.conversations ?? 2000} conversations in scope (extension scenario)`,
      pick: fromLarge('workerHeapMb'),
      unit: ' MB',
      limit: 20,
      atMost: true,
    },
    {
      what: 'side panel: first rows on screen from cache, median of fresh panels (extension scenario)',
      pick: fromLarge('firstRowsMs'),
      unit: ' ms',
      limit: 100,
      atMost: true,
    },
  ];
  const cell = (v: number | null | undefined, unit: string) => (v === null || v === undefined ? '-' : `${v}${unit}`);
  const verdict = (v: number | null | undefined, limit: number | null, atMost = false) =>
    limit === null || v === null || v === undefined ? '' : (atMost ? v <= limit : v < limit) ? 'met' : '**missed**';
  return table(
    ['', ...(before ? [`before (${label(before)})`] : []), ...(now ? [`now (${label(now)})`] : []), 'target', ''],
    rows.map((x) => [
      x.what,
      ...runs.map((r) => cell(x.pick(r), x.unit)),
      x.limit === null ? '-' : `${x.atMost ? 'at most' : 'under'} ${x.limit}${x.unit}`,
      verdict(x.pick(latest), x.limit, x.atMost),
    ]),
  );
}

/** docs/benchmarks.md's section on issue 34's delivery scope: the run on the design before it (`scopeBefore`) and the latest, the large inbox's figures and the side panel's latency targets. */
export function scopeSection(now: ScopeResult | undefined, before: ScopeResult | undefined, large?: LargeInbox, panel?: PanelRow[]): string[] {
  const shown = now ?? before;
  if (!shown) return [];
  const latency = panelLatencyTargets(panel);
  const tables = (r: ScopeResult, which: string) => [
    `### ${which}: the extension's CPU (${label(r)})`,
    '',
    ...markdown(scopeExtensionRows(r)),
    '',
    ...(r.cases.some((c) => c.workerKept === false) ? [WORKER_NOTE, ''] : []),
    `### ${which}: the server and PostgreSQL, same run`,
    '',
    ...markdown(scopeServerRows(r)),
    '',
  ];
  return [
    "## An agent's cost for colleagues' messages: the delivery scope (issue 34)",
    '',
    `\`npm run bench -- --only scope\` (bench/scenarios/scope.ts). One organisation of ${shown.agents} agents: the measured agent signed in to Chromium with the built extension, its side panel open on its default view and a CRM page showing ${shown.crmNumbers} other customers' numbers (none of them messaged, so no badge is behind a message); the ${shown.agents - 1} colleagues are plain Socket.IO clients in the load generator. ${shown.customers} customers write in turn; colleagues assigned each conversation beforehand through the API, to themselves ("none in scope") or to the measured agent ("in scope": more conversations than rows on screen, so each message brings its row onto the screen and pushes another off, the list's costliest change); "in scope, on screen" is four more customers of the measured agent writing in turn, their rows on screen throughout (a message moves its row to the top, the usual case of an agent's own conversations); "idle" is the same browser with nothing coming, measured last, five seconds after the in-scope messages. The messaged cases run in rounds, one case after the other and again (the runs since the rounds came: three rounds of 20 s windows), so the machine's other load, which drifts over minutes, weighs on each case alike; each window follows two unmeasured seconds of the same traffic and holds the messages, then one second for the last to land. A case's figures are the median of its windows; the extension table's per-message cells give the lowest and highest window in brackets (none when they were equal). The extension's CPU is measured as in the side-panel scenario (the service worker's thread from /proc; the side panel's and the CRM page's main threads from CDP, \`TaskDuration\` in thread time); the server is the stack's server process (the API, Socket.IO and the local Realtime, user + system CPU from /proc) and PostgreSQL its embedded database's processes. "shown in panel" counts the case's messages the side panel showed. The service worker's CPU comes from /proc in ticks of 10 ms, so its figure over a quiet window moves in steps (one tick in the 10 s idle window is 1 ms/s). The "before" run is the design before the per-agent scope (every message of the organisation to every agent), kept in \`bench-results/scope-before.json\` (\`npm run bench -- --only scope --out bench-results/scope-before.json\`, then \`npm run bench -- --report\`).`,
    '',
    ...targets(before, now, large),
    '',
    "Read the per-message figures with their range: two windows or runs of the same code can differ by tenths of a millisecond per message (the server's and PostgreSQL's figures move with them: the machine's other load), so a small change needs several runs each way (docs/delivery-scope.md, \"Notifications, and the panel's render of a row\", lists such runs).",
    '',
    ...(latency.length
      ? [
          'The latency targets, from the side-panel scenario above (`npm run bench -- --only sidepanel`; the in-scope row is its "one org, mine" layout: colleagues assigned the customers\' conversations to the measured agent beforehand, so no colleague\'s client receives them):',
          '',
          ...table(['target', 'measured', ''], latency),
          '',
        ]
      : []),
    ...(before && now ? tables(before, 'Before') : []),
    ...tables(shown, now ? 'Now' : 'Before'),
  ];
}

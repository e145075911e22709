import type { sidePanelLatency } from './scenarios/sidepanel';
import { printTable } from './stats';

/** The side-panel scenario's rows as the tables `npm run bench` prints (docs/benchmarks.md shows them from the results file). */
export function printSidePanelTables(rows: Array<Awaited<ReturnType<typeof sidePanelLatency>>>): void {
  printTable(
    'Signed webhook → text on screen in the extension side panel, Chromium (ms)',
    rows.map(({ crmBadge: _, socketIo: __, cpu: ___, machine: ____, stages: _____, ...r }) => r) as never,
  );
  printTable(
    'Signed webhook → unread count on the customer’s CRM badge, same run (ms)',
    rows.map((r) => ({ agents: r.agents, layout: r.layout, rate: r.rate, ...r.crmBadge })) as never,
  );
  printTable(
    'The same messages at a plain Socket.IO client of the organisation (in "one org, mine", of the measured agent), same run (ms)',
    rows.map((r) => ({ agents: r.agents, layout: r.layout, rate: r.rate, ...r.socketIo })) as never,
  );
  printTable(
    'The extension’s main-thread CPU per message, same run (ms)',
    rows.map((r) => ({ agents: r.agents, layout: r.layout, rate: r.rate, ...r.cpu })) as never,
  );
  for (const [stage, what] of [
    ['webhookAnswered', 'Webhook sent → answered (stored and committed), same run (ms)'],
    ['afterPlainClient', 'On screen less the plain client’s time, per message (the extension and Chromium), same run (ms)'],
  ] as const)
    printTable(what, rows.map((r) => ({ agents: r.agents, layout: r.layout, rate: r.rate, ...r.stages[stage] })) as never);
  printTable(
    'The rest of the machine over the measured messages, % of one core, same run',
    rows.map((r) => ({ agents: r.agents, layout: r.layout, rate: r.rate, ...r.machine })) as never,
  );
}

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { io as ioClient, type Socket } from 'socket.io-client';
import { EXTENSION_DIR, signedInBrowser } from '../../tests/support/browser';
import { agentOf, allConnected, benchAgent, createBenchOrgs } from '../agents';
import { conversationsAssigned } from '../assigned';
import { cpuPer, extensionCpu, startExtensionProfiles, type ExtensionCpu } from '../extension-cpu';
import { frameFloor, openCrmPage, watchPanelText } from '../extension-pages';
import { newCustomersWriting } from '../http';
import { medianCase, type ScopeCase, type ScopeParts } from '../scope-windows';
import type { RemoteStack } from '../remote-stack';
import { round, sleep } from '../stats';

export type { ScopeCase, ScopeParts } from '../scope-windows';

export interface ScopeResult {
  /** The commit measured (`git describe --always --dirty`), and when. */
  commit: string;
  date: string;
  /** Agents of the one organisation: the browser's and the plain Socket.IO clients. */
  agents: number;
  /** Customers writing in turn in each messaged case, and numbers on the CRM page (none of them messaged). */
  customers: number;
  crmNumbers: number;
  cases: ScopeCase[];
  /**
   * The browser's own cost of one message's change to the side panel, with none of the
   * extension's code (`frameFloor`: the panel's page copied, the same change by plain DOM calls,
   * at the same rate): ms of the page's main thread per message, under which the side panel's
   * figure cannot go on this machine.
   */
  frameFloor?: number;
}

const CASES = [
  { name: 'none in scope', key: 'none', line: 5000, mine: false, onScreen: false },
  { name: 'in scope', key: 'in', line: 6000, mine: true, onScreen: false },
  { name: 'in scope, on screen', key: 'top', line: 7000, mine: true, onScreen: true },
] as const;
/** Customers of the on-screen case: fewer than the side panel's rows on screen at 320 px of height. */
const ON_SCREEN_CUSTOMERS = 4;
const phone = (line: number) => `+1646555${line}`;

/**
 * Issue 34's benchmark: what an agent's extension (service worker, side panel, CRM page) and the
 * server pay while customers write to one organisation of `agents` agents (the browser's agent
 * signed in to Chromium with the built extension, the others plain Socket.IO clients), at `rate`
 * messages a second: to conversations colleagues have assigned to themselves (none in the measured
 * agent's scope), then to conversations assigned to the measured agent (in scope), then nothing
 * (idle, five seconds after the last message). The CRM page shows other customers' numbers, so no
 * badge of it is behind a message. Each messaged case: two seconds of the same traffic unmeasured, then `seconds`.
 */
export async function deliveryScope(
  stack: RemoteStack,
  opts: { agents: number; rate: number; seconds: number; idleSeconds: number; customers: number; settleSeconds?: number; rounds?: number },
): Promise<ScopeResult> {
  if (!existsSync(EXTENSION_DIR)) throw new Error('build the extension first (npm run build)');
  const [org] = await createBenchOrgs(stack, 1, opts.agents - 1);
  const colleagues = org!.agents;
  const email = await benchAgent(stack, org!.id);
  const me = (await agentOf(stack, email)).id;
  const sockets: Socket[] = colleagues.map((a) => ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: a.token }, forceNew: true }));
  await allConnected(sockets);
  // Each case's customers write once, and colleague k % n assigns customer k's conversation: to
  // themselves (none in scope) or to the measured agent (in scope), through the API as an agent does.
  const customersOf = (c: (typeof CASES)[number]) => (c.onScreen ? Math.min(ON_SCREEN_CUSTOMERS, opts.customers) : opts.customers);
  const customer = (c: (typeof CASES)[number]) => (i: number) => phone(c.line + (i % customersOf(c)));
  for (const c of CASES)
    await conversationsAssigned(stack, org!, {
      phones: Array.from({ length: customersOf(c) }, (_, k) => phone(c.line + k)),
      step: `open-${c.key}`,
      colleagues,
      assignee: (by) => (c.mine ? me : by.id),
    });

  const { browser, panel } = await signedInBrowser({ serverUrl: stack.serverUrl }, email, 'bench password');
  const cases: ScopeCase[] = [];
  try {
    await panel.locator('[data-status="live"]').waitFor({ timeout: 30_000 });
    const crmNumbers = Array.from({ length: 100 }, (_, k) => `+1 (646) 555-${4000 + k}`);
    const crm = await openCrmPage(browser.context, crmNumbers);
    await panel.bringToFront(); // a side panel is on screen while the agent works in it
    const onScreen = await watchPanelText(panel, String.raw`\[scope:[a-z]+:\d+-\d+\]`);
    const settleMs = (opts.settleSeconds ?? 3) * 1000;
    await sleep(settleMs); // the sign-in's catch-up done

    /** One measured window around `during`: the extension's and the stack's CPU. */
    const measure = async (name: ScopeCase['case'], messages: number, during: () => Promise<unknown>, pass = 0) => {
      const profiling = await startExtensionProfiles(browser.context, panel, browser.worker.url());
      const server0 = stack.usage().cpuMs;
      const postgres0 = stack.postgresCpuMs();
      const cpu = await extensionCpu(browser.context, { panel, crm });
      await during();
      const used = await cpu.stop();
      const server = stack.usage().cpuMs - server0;
      const postgres = stack.postgresCpuMs() - postgres0;
      await profiling?.stop(`scope-${name.replace(/\W+/g, '-')}${messages ? `-r${pass + 1}` : ''}`);
      const seconds = used.wallMs / 1000;
      const parts = (x: ExtensionCpu): ScopeParts => ({ worker: x.worker, panel: x.panel, crm: x.crm, total: round(x.worker + x.panel + x.crm, 3) });
      const perSecond = parts(cpuPer(used, seconds));
      const per = (ms: number) => (messages ? round(ms / messages, 3) : null);
      const pct = (ms: number) => round(ms / seconds / 10, 1);
      return {
        case: name,
        rate: messages ? opts.rate : 0,
        messages,
        seconds: round(seconds, 1),
        perSecond,
        corePct: round(perSecond.total / 10, 2),
        perMessage: messages ? parts(cpuPer(used, messages)) : null,
        workerKept: used.workerKept,
        server: { corePct: pct(server), perMessage: per(server) },
        postgres: { corePct: pct(postgres), perMessage: per(postgres) },
      };
    };

    // Rounds of the three cases in turn (none, in, on screen, none, …): the machine's other load
    // drifts over minutes, and interleaving lets it weigh on every case alike; each case is the
    // median of its windows, with every window kept.
    const windows = new Map<(typeof CASES)[number], ScopeCase[]>();
    for (let pass = 0; pass < (opts.rounds ?? 1); pass++) {
      for (const c of CASES) {
        const total = opts.rate * opts.seconds;
        const warmUp = newCustomersWriting(stack, org!.number, { total: opts.rate * 2, step: `warm-up-${c.key}-${pass}`, from: customer(c) });
        await warmUp.run(opts.rate, new Map(), () => true);
        await sleep(500);
        const body = (i: number) => `[scope:${c.key}:${pass}-${i}]`;
        const writing = newCustomersWriting(stack, org!.number, { total, step: `${c.key}-${pass}`, from: customer(c), body });
        const row = await measure(
          c.name,
          total,
          async () => {
            await writing.run(opts.rate, new Map(), () => true); // every webhook answered: stored and fanned out
            await sleep(1000);
          },
          pass,
        );
        const seen = await onScreen.seen();
        const shown = Array.from({ length: total }, (_, i) => body(i)).filter((b) => seen[b]).length;
        windows.set(c, [...(windows.get(c) ?? []), { ...row, shown }]);
      }
    }
    for (const c of CASES) cases.push(medianCase(windows.get(c)!));
    await sleep(settleMs + 2000); // the last messages' notification, cache write and counts done
    cases.push({ ...(await measure('idle', 0, () => sleep(opts.idleSeconds * 1000))), shown: 0 });
    // The panel as the on-screen case left it: its rows, its styles, the same change without our code.
    const floor = await frameFloor(browser.context, panel, { rate: opts.rate, steps: opts.rate * opts.seconds });
    return {
      commit: commitMeasured(),
      date: new Date().toISOString(),
      agents: opts.agents,
      customers: opts.customers,
      crmNumbers: crmNumbers.length,
      cases,
      frameFloor: floor,
    };
  } finally {
    for (const s of sockets) s.close();
    await browser.close();
  }
}

/** The commit under measurement, marked when the tree has changes of its own. */
function commitMeasured(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

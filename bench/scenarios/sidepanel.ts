import { existsSync } from 'node:fs';
import { BADGE_SELECTOR } from '../../lib/overlay/badge-element';
import { performance } from 'node:perf_hooks';
import { io as ioClient, type Socket } from 'socket.io-client';
import { inboundParams } from '../../server/dev/twilio-stand-in/inbound';
import { webhookSender } from '../http';
import { EXTENSION_DIR, signedInBrowser } from '../../tests/support/browser';
import { agentOf, allConnected, benchAgent, createBenchOrgs } from '../agents';
import { conversationsAssigned } from '../assigned';
import { cpuPer, extensionCpu, startExtensionProfiles, type ExtensionCpu } from '../extension-cpu';
import { openCrmPage, watchPanelText } from '../extension-pages';
import type { RemoteStack } from '../remote-stack';
import type { OrgLayout } from './webhook';
import { atRate, round, sleep, summarize, type LatencySummary } from '../stats';

/**
 * How the load's agents are grouped in the side-panel scenario: the webhook scenario's layouts
 * (the customers' conversations unassigned, in every agent's scope), or `one org, mine`: one
 * organisation whose customers' conversations colleagues assigned to the browser's agent beforehand,
 * so the messages are in its scope alone (issue 34's in-scope messages; docs/delivery-scope.md).
 */
export type SidePanelLayout = OrgLayout | 'one org, mine';

/** The customers of the measured window (on the CRM page) and of the warm-up (not on it), 100 each. */
const measuredPhone = (k: number) => `+1646555${2000 + (k % 100)}`;
const warmUpPhone = (k: number) => `+1646557${2000 + (k % 100)}`;

/**
 * Signed webhook → the message's text on screen in the real extension's side panel (Chromium),
 * timed by a MutationObserver in the panel against the same clock. Other agents of the load are
 * Socket.IO clients, in organisations of 10 (the browser's agent in one of them) or all in one.
 */
export async function sidePanelLatency(
  stack: RemoteStack,
  opts: { agents: number; rate: number; seconds: number; layout?: SidePanelLayout; warmUpSeconds?: number },
): Promise<
  LatencySummary & {
    agents: number;
    layout: SidePanelLayout;
    rate: number;
    lost: number;
    /** Messages of the window a colleague's plain Socket.IO client heard (none when they are in the measured agent's scope alone). */
    colleagueHeard: number;
    crmBadge: LatencySummary & { lost: number };
    socketIo: LatencySummary;
    /** Where a message's time went: the webhook answered (stored and committed), and on screen less the plain client's time (the extension and Chromium, per message both saw). */
    stages: { webhookAnswered: LatencySummary; afterPlainClient: LatencySummary };
    cpu: ExtensionCpu;
    /** The rest of the machine over the measured messages, % of one core: the stack's server process, its PostgreSQL, and the load generator (its sockets, the webhooks, Playwright). */
    machine: { server: number; postgres: number; loadGenerator: number };
  }
> {
  if (!existsSync(EXTENSION_DIR)) throw new Error('build the extension first (npm run build)');
  const layout = opts.layout ?? 'orgs of 10';
  const mine = layout === 'one org, mine';
  const warmUps = Math.max(1, Math.round(opts.rate * (opts.warmUpSeconds ?? 2)));
  // The browser's agent joins the first organisation: of 10 (with 9 others), or of everyone.
  const orgs =
    layout !== 'orgs of 10'
      ? await createBenchOrgs(stack, 1, Math.max(1, opts.agents - 1))
      : [...(await createBenchOrgs(stack, 1, 9)), ...(opts.agents > 10 ? await createBenchOrgs(stack, Math.ceil((opts.agents - 10) / 10), 10) : [])];
  const target = orgs[0]!;
  // The browser's agent signs in with a password, as an agent does.
  const email = await benchAgent(stack, target.id);
  const measured = await agentOf(stack, email);
  // In scope alone: every customer who will write (the warm-up's too) writes once, and colleagues give the conversation to the measured agent.
  const customers = (messages: number, phone: (k: number) => string) => Array.from({ length: Math.min(100, messages) }, (_, k) => phone(k));
  if (mine)
    await conversationsAssigned(stack, target, {
      phones: [...customers(opts.rate * opts.seconds, measuredPhone), ...customers(warmUps, warmUpPhone)],
      step: 'sp-open',
      colleagues: target.agents,
      assignee: () => measured.id,
    });
  const sockets: Socket[] = orgs
    .flatMap((o) => o.agents)
    .slice(0, opts.agents - 1)
    .map((a) => ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: a.token }, forceNew: true }));
  const { browser, panel } = await signedInBrowser({ serverUrl: stack.serverUrl }, email, 'bench password');
  try {
    await panel.locator('[data-status="live"]').waitFor({ timeout: 20_000 });
    await allConnected(sockets); // a colleague's client hears what is in its scope (colleagueHeard)
    // A CRM page listing the 100 customers: their badges count up too.
    const crm = await openCrmPage(
      browser.context,
      Array.from({ length: 100 }, (_, k) => `+1 (646) 555-${2000 + k}`),
    );
    await crm.evaluate((selector) => {
      // The first time each customer's badge reaches each unread count.
      const reached: Record<string, number> = {};
      (window as unknown as { __reached: typeof reached }).__reached = reached;
      new MutationObserver((mutations) => {
        const t = performance.timeOrigin + performance.now();
        for (const m of mutations) {
          const el = m.target as HTMLElement;
          if (el.matches(selector)) reached[`${el.dataset.phone}#${el.dataset.unread}`] ??= t;
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-unread'] });
    }, BADGE_SELECTOR);
    await panel.bringToFront(); // a side panel is on screen while the agent works in it
    const onScreen = await watchPanelText(panel, String.raw`\[sp:\d+\]`);
    const sentAt = new Map<string, number>();
    // The same messages at a plain Socket.IO client of the same organisation, in the load generator:
    // what the server and the machine add, apart from the extension and Chromium.
    // Messages in the measured agent's scope alone reach no colleague: then the plain client is another of the agent's own.
    const atSocket = new Map<string, number>();
    const plain = mine ? ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: measured.token }, forceNew: true }) : sockets[0];
    if (mine) sockets.push(plain!);
    plain?.on('message:new', ({ message }: { message: { body: string } }) => {
      const t = sentAt.get(message.body);
      if (t !== undefined) atSocket.set(message.body, performance.timeOrigin + performance.now() - t);
    });
    let colleagueHeard = 0;
    sockets[0]?.on('message:new', ({ message }: { message: { body: string } }) => {
      if (sentAt.has(message.body)) colleagueHeard++;
    });
    const answered: number[] = [];
    const sender = webhookSender(`${stack.serverUrl}/api/webhooks/twilio`);
    const send = (count: number, from: (i: number) => string, body: (i: number) => string, measured: boolean) =>
      atRate(count, opts.rate, (i) => {
        const params = inboundParams({ accountSid: stack.twilio.accountSid, from: from(i), to: target.number, body: body(i) });
        const prepared = sender.prepare(stack.twilio.authToken, `${stack.publicUrl}/api/webhooks/twilio`, params);
        if (!measured) return sender.post(prepared);
        const t0 = performance.now();
        sentAt.set(body(i), performance.timeOrigin + t0);
        return sender.post(prepared).then(() => answered.push(performance.now() - t0));
      });
    // Warm-up: two seconds (by default) of the same traffic from other customers (not on the CRM page), unmeasured.
    await send(warmUps, warmUpPhone, (i) => `warm-up ${i}`, false);
    await sleep(500);
    // BENCH_THREAD_OPEN=1: the agent has a thread open (another customer's) while the messages come,
    // the usual state of an agent at work: what a message elsewhere costs. Nothing measured is then
    // shown, so the latencies are empty (all "lost"); the CPU per message is the number.
    const threadOpen = !!process.env.BENCH_THREAD_OPEN;
    if (threadOpen) {
      await panel.locator('button.conversation').first().click();
      await panel.locator('section.thread').waitFor();
      await sleep(500);
    }
    const total = opts.rate * opts.seconds;
    // What each measured customer's badge shows before the window (their first message's, where colleagues assigned them).
    const unreadBefore = await crm.evaluate(
      (selector) => Object.fromEntries([...document.querySelectorAll<HTMLElement>(selector)].map((el) => [el.dataset.phone, Number(el.dataset.unread ?? 0)])),
      BADGE_SELECTOR,
    );
    // BENCH_PROFILE=<dir>: CPU profiles of the service worker and the side panel over the window.
    const profiling = await startExtensionProfiles(browser.context, panel, browser.worker.url());
    const cpu = await extensionCpu(browser.context, { panel, crm });
    const machine0 = { at: performance.now(), server: stack.usage().cpuMs, postgres: stack.postgresCpuMs(), loadGenerator: process.cpuUsage() };
    // Bracketed bodies: text nodes run together in textContent.
    await send(total, measuredPhone, (i) => `[sp:${i}]`, true);
    const corePct = (ms: number) => round((ms / (performance.now() - machine0.at)) * 100, 1);
    const loadGenerator = process.cpuUsage(machine0.loadGenerator);
    const machine = {
      server: corePct(stack.usage().cpuMs - machine0.server),
      postgres: corePct(stack.postgresCpuMs() - machine0.postgres),
      loadGenerator: corePct((loadGenerator.user + loadGenerator.system) / 1000),
    };
    await profiling?.stop(`sidepanel-${opts.agents}x${opts.rate}`);
    sender.close();
    const deadline = Date.now() + (threadOpen ? 1000 : 15_000); // with a thread open: a second for the last ones to arrive
    let seen: Record<string, number> = {};
    while (Date.now() < deadline) {
      seen = await onScreen.seen();
      if ([...sentAt.keys()].every((b) => seen[b])) break;
      await sleep(200);
    }
    // The list shows each conversation's latest message; 100 customers writing in turn keep every
    // message on screen for a while, so each one is seen.
    const samples = [...sentAt].filter(([b]) => seen[b]).map(([b, t]) => seen[b]! - t);
    const cpuUsed = cpuPer(await cpu.stop(), total);
    // Message i is customer i % 100's (i / 100 + 1)-th of the window: their badge reaching that count (over the count before) shows it.
    const reached = await crm.evaluate(() => (window as unknown as { __reached: Record<string, number> }).__reached);
    const badgeSamples = [...sentAt].flatMap(([b, t]) => {
      const i = Number(/\d+/.exec(b)![0]);
      const phone = measuredPhone(i);
      const at = reached[`${phone}#${(unreadBefore[phone] ?? 0) + Math.floor(i / 100) + 1}`];
      return at ? [at - t] : [];
    });
    return {
      agents: opts.agents,
      layout,
      rate: opts.rate,
      lost: total - samples.length,
      colleagueHeard,
      ...summarize(samples),
      crmBadge: { ...summarize(badgeSamples), lost: total - badgeSamples.length },
      socketIo: summarize([...atSocket.values()]),
      stages: {
        webhookAnswered: summarize(answered),
        afterPlainClient: summarize([...sentAt].flatMap(([b, t]) => (seen[b] && atSocket.has(b) ? [seen[b] - t - atSocket.get(b)!] : []))),
      },
      cpu: cpuUsed,
      machine,
    };
  } finally {
    for (const s of sockets) s.close();
    await browser.close();
  }
}

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { BADGE_SELECTOR } from '../../lib/overlay/badge-element';
import { performance } from 'node:perf_hooks';
import { io as ioClient, type Socket } from 'socket.io-client';
import { inboundParams } from '../../server/dev/twilio-stand-in/inbound';
import { attachToWorker } from '../../tests/support/cdp';
import { webhookSender } from '../http';
import { EXTENSION_DIR, signedInBrowser } from '../../tests/support/browser';
import { benchAgent, createBenchOrgs } from '../agents';
import type { RemoteStack } from '../remote-stack';
import type { OrgLayout } from './webhook';
import { atRate, sleep, summarize, type LatencySummary } from '../stats';

/**
 * Signed webhook → the message's text on screen in the real extension's side panel (Chromium),
 * timed by a MutationObserver in the panel against the same clock. Other agents of the load are
 * Socket.IO clients, in organisations of 10 (the browser's agent in one of them) or all in one.
 */
export async function sidePanelLatency(
  stack: RemoteStack,
  opts: { agents: number; rate: number; seconds: number; layout?: OrgLayout },
): Promise<
  LatencySummary & {
    agents: number;
    layout: OrgLayout;
    rate: number;
    lost: number;
    crmBadge: LatencySummary & { lost: number };
    socketIo: LatencySummary;
    cpu: ExtensionCpu;
  }
> {
  if (!existsSync(EXTENSION_DIR)) throw new Error('build the extension first (npm run build)');
  const layout = opts.layout ?? 'orgs of 10';
  // The browser's agent joins the first organisation: of 10 (with 9 others), or of everyone.
  const orgs =
    layout === 'one org'
      ? await createBenchOrgs(stack, 1, Math.max(1, opts.agents - 1))
      : [...(await createBenchOrgs(stack, 1, 9)), ...(opts.agents > 10 ? await createBenchOrgs(stack, Math.ceil((opts.agents - 10) / 10), 10) : [])];
  const target = orgs[0]!;
  // The browser's agent signs in with a password, as an agent does.
  const email = await benchAgent(stack, target.id);
  const sockets: Socket[] = orgs
    .flatMap((o) => o.agents)
    .slice(0, opts.agents - 1)
    .map((a) => ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: a.token }, forceNew: true }));
  const { browser, panel } = await signedInBrowser({ serverUrl: stack.serverUrl }, email, 'bench password');
  try {
    await panel.locator('[data-status="live"]').waitFor({ timeout: 20_000 });
    // A CRM page (HubSpot's URL, served here) listing the 100 customers: their badges count up too.
    const crmHtml = `<!doctype html><table>${Array.from({ length: 100 }, (_, k) => `<tr><td>Customer ${k}</td><td>+1 (646) 555-${2000 + k}</td></tr>`).join('')}</table>`;
    await browser.context.route('https://app.hubspot.com/bench-crm', (r) => r.fulfill({ contentType: 'text/html', body: crmHtml }));
    const crm = await browser.context.newPage();
    await crm.goto('https://app.hubspot.com/bench-crm');
    await crm.waitForFunction((selector) => document.querySelectorAll(selector).length === 100, BADGE_SELECTOR, { timeout: 20_000 });
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
    await panel.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { __seen: typeof seen }).__seen = seen;
      new MutationObserver((mutations) => {
        const t = performance.timeOrigin + performance.now();
        for (const m of mutations) {
          const text = m.target.textContent ?? '';
          for (const found of text.match(/\[sp:\d+\]/g) ?? []) seen[found] ??= t;
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const sentAt = new Map<string, number>();
    // The same messages at a plain Socket.IO client of the same organisation, in the load generator:
    // what the server and the machine add, apart from the extension and Chromium.
    const atSocket: number[] = [];
    sockets[0]?.on('message:new', ({ message }: { message: { body: string } }) => {
      const t = sentAt.get(message.body);
      if (t !== undefined) atSocket.push(performance.timeOrigin + performance.now() - t);
    });
    const sender = webhookSender(`${stack.serverUrl}/api/webhooks/twilio`);
    const send = (count: number, from: (i: number) => string, body: (i: number) => string, measured: boolean) =>
      atRate(count, opts.rate, (i) => {
        const params = inboundParams({ accountSid: stack.twilio.accountSid, from: from(i), to: target.number, body: body(i) });
        const prepared = sender.prepare(stack.twilio.authToken, `${stack.publicUrl}/api/webhooks/twilio`, params);
        if (measured) sentAt.set(body(i), performance.timeOrigin + performance.now());
        return sender.post(prepared);
      });
    // Warm-up: two seconds of the same traffic from other customers (not on the CRM page), unmeasured.
    await send(
      opts.rate * 2,
      (i) => `+1646557${String(2000 + (i % 100))}`,
      (i) => `warm-up ${i}`,
      false,
    );
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
    // BENCH_PROFILE=<dir>: CPU profiles of the service worker and the side panel over the window.
    const profiling = process.env.BENCH_PROFILE ? await startExtensionProfiles(browser.context, panel, browser.worker.url()) : null;
    const tracing = process.env.BENCH_TRACE ? await startTrace(browser.context, panel) : null;
    const cpu = await extensionCpu(browser.context, { panel, crm });
    // Bracketed bodies: text nodes run together in textContent.
    await send(
      total,
      (i) => `+1646555${String(2000 + (i % 100))}`,
      (i) => `[sp:${i}]`,
      true,
    );
    await profiling?.stop(process.env.BENCH_PROFILE!, `sidepanel-${opts.agents}x${opts.rate}`);
    await tracing?.stop(process.env.BENCH_TRACE!, `sidepanel-${opts.agents}x${opts.rate}`);
    sender.close();
    const deadline = Date.now() + (threadOpen ? 1000 : 15_000); // with a thread open: a second for the last ones to arrive
    let seen: Record<string, number> = {};
    while (Date.now() < deadline) {
      seen = await panel.evaluate(() => (window as unknown as { __seen: Record<string, number> }).__seen);
      if ([...sentAt.keys()].every((b) => seen[b])) break;
      await sleep(200);
    }
    // The list shows each conversation's latest message; 100 customers writing in turn keep every
    // message on screen for a while, so each one is seen.
    const samples = [...sentAt].filter(([b]) => seen[b]).map(([b, t]) => seen[b]! - t);
    const cpuUsed = await cpu.stop(total);
    // Message i is customer i % 100's (i / 100 + 1)-th: their badge reaching that count shows it.
    const reached = await crm.evaluate(() => (window as unknown as { __reached: Record<string, number> }).__reached);
    const badgeSamples = [...sentAt].flatMap(([b, t]) => {
      const i = Number(/\d+/.exec(b)![0]);
      const at = reached[`+1646555${2000 + (i % 100)}#${Math.floor(i / 100) + 1}`];
      return at ? [at - t] : [];
    });
    return {
      agents: opts.agents,
      layout,
      rate: opts.rate,
      lost: total - samples.length,
      ...summarize(samples),
      crmBadge: { ...summarize(badgeSamples), lost: total - badgeSamples.length },
      socketIo: summarize(atSocket),
      cpu: cpuUsed,
    };
  } finally {
    for (const s of sockets) s.close();
    await browser.close();
  }
}

/** Main-thread CPU per message (ms) of the service worker, the side panel and the CRM page with its badges. */
export interface ExtensionCpu {
  worker: number;
  panel: number;
  crm: number;
  /** The side panel's share of `panel` in script, style recalculation and layout (the rest is paint and the task's own). */
  panelScript: number;
  panelStyle: number;
  panelLayout: number;
}

/**
 * CPU time the extension's three parts spend on their threads over the measured window, read
 * before the first measured webhook and after the last message was seen. The side panel and the
 * CRM page: CDP's `Performance.getMetrics` (`TaskDuration` in thread time: every task of the
 * page's main thread, script, style, layout and paint). The service worker has no Performance
 * domain: its thread's CPU time from /proc (the `ServiceWorker thread` of Chromium's extension
 * process; the bench runs one browser at a time).
 */
async function extensionCpu(context: BrowserContext, pages: { panel: Page; crm: Page }) {
  const panel = await context.newCDPSession(pages.panel);
  const crm = await context.newCDPSession(pages.crm);
  type Metrics = { metrics: Array<{ name: string; value: number }> };
  const ms = (m: Metrics, name: string) => (m.metrics.find((x) => x.name === name)?.value ?? Number.NaN) * 1000;
  const read = async () => {
    const p = (await panel.send('Performance.getMetrics')) as Metrics;
    return {
      worker: serviceWorkerThreadMs(),
      panel: ms(p, 'TaskDuration'),
      panelScript: ms(p, 'ScriptDuration'),
      panelStyle: ms(p, 'RecalcStyleDuration'),
      panelLayout: ms(p, 'LayoutDuration'),
      crm: ms((await crm.send('Performance.getMetrics')) as Metrics, 'TaskDuration'),
    };
  };
  await panel.send('Performance.enable', { timeDomain: 'threadTicks' });
  await crm.send('Performance.enable', { timeDomain: 'threadTicks' });
  const before = await read();
  return {
    async stop(messages: number): Promise<ExtensionCpu> {
      const after = await read();
      const perMessage = (k: keyof ExtensionCpu) => Math.round(((after[k] - before[k]) / Math.max(1, messages)) * 1000) / 1000;
      return {
        worker: perMessage('worker'),
        panel: perMessage('panel'),
        crm: perMessage('crm'),
        panelScript: perMessage('panelScript'),
        panelStyle: perMessage('panelStyle'),
        panelLayout: perMessage('panelLayout'),
      };
    },
  };
}

/**
 * CPU time (ms) of the service worker threads in this browser's extension processes, from /proc:
 * only the processes descending from the Chromium that loaded this checkout's build (another
 * Chromium on the machine, a test run's say, has its own service worker threads).
 */
function serviceWorkerThreadMs(): number {
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return ''; // a process or thread gone meanwhile
    }
  };
  const parentOf = new Map<string, string>();
  const ours = new Set<string>();
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    parentOf.set(pid, stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1] ?? '');
    const cmdline = read(`/proc/${pid}/cmdline`);
    if (cmdline.includes(`--load-extension=${EXTENSION_DIR}`) && !cmdline.includes('--type=')) ours.add(pid);
  }
  const inOurBrowser = (pid: string) => {
    for (let p = pid, hops = 0; p && p !== '0' && hops < 10; p = parentOf.get(p) ?? '', hops++) if (ours.has(p)) return true;
    return false;
  };
  let ticks = 0;
  for (const pid of pids) {
    if (!read(`/proc/${pid}/cmdline`).includes('--extension-process') || !inOurBrowser(pid)) continue;
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const stat = read(`/proc/${pid}/task/${tid}/stat`);
      if (!stat.includes('(ServiceWorker t')) continue;
      const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    }
  }
  return ticks * 10; // USER_HZ = 100
}

/** V8 CPU profiles of the extension's service worker and side panel, over CDP. */
async function startExtensionProfiles(context: BrowserContext, panel: Page, workerUrl: string) {
  const panelCdp = await context.newCDPSession(panel);
  const worker = (await attachToWorker(await context.newCDPSession(panel), workerUrl)).call;
  await worker('Profiler.enable');
  await worker('Profiler.start');
  await panelCdp.send('Profiler.enable');
  await panelCdp.send('Profiler.start');
  return {
    async stop(dir: string, name: string) {
      const { profile: workerProfile } = await worker('Profiler.stop');
      const { profile: panelProfile } = await panelCdp.send('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}-worker.cpuprofile`), JSON.stringify(workerProfile));
      writeFileSync(join(dir, `${name}-panel.cpuprofile`), JSON.stringify(panelProfile));
    },
  };
}

/**
 * A Chrome trace (the DevTools timeline's categories) over the same window, `BENCH_TRACE=<dir>`:
 * what the side panel's main thread spends apart from script (style, layout, paint, the commit to
 * the compositor), which the CPU profile does not show. Open it in DevTools' Performance panel.
 */
async function startTrace(context: BrowserContext, panel: Page) {
  const cdp = await context.newCDPSession(panel);
  const events: unknown[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) => void events.push(...value));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8', 'blink.user_timing'] },
  });
  return {
    async stop(dir: string, name: string) {
      const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
      await cdp.send('Tracing.end');
      await done;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}.trace.json`), JSON.stringify({ traceEvents: events }));
    },
  };
}

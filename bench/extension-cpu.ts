import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BrowserContext, Page } from 'playwright-core';
import { attachToWorker } from '../tests/support/cdp';

/** CPU time (ms) of the extension's three parts: the service worker, the side panel and the CRM page with its badges. */
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
 * What a measured window cost: each part's CPU time (ms) and the window's wall time (ms).
 * `workerKept`: the same service worker thread ran the whole window; when Chromium replaced it, the
 * worker's figure misses the old thread's share after the start and is not to be trusted.
 */
export type ExtensionCpuWindow = ExtensionCpu & { wallMs: number; workerKept: boolean };

const PARTS = ['worker', 'panel', 'crm', 'panelScript', 'panelStyle', 'panelLayout'] as const;

/** Each part's CPU over a window divided by `n` (messages, or seconds of the window; none counts as one), to 3 decimals. */
export function cpuPer(window: ExtensionCpu, n: number): ExtensionCpu {
  return Object.fromEntries(PARTS.map((k) => [k, Math.round((window[k] / (n > 0 ? n : 1)) * 1000) / 1000])) as unknown as ExtensionCpu;
}

/**
 * CPU time the extension's three parts spend on their threads over a window, read when this is
 * called and again at `stop()`. The side panel and the CRM page: CDP's `Performance.getMetrics`
 * (`TaskDuration` in thread time: every task of the page's main thread, script, style, layout and
 * paint). The service worker has no Performance domain: its thread's CPU time from /proc (the
 * `ServiceWorker thread` of Chromium's extension process; the bench runs one browser at a time).
 */
export async function extensionCpu(context: BrowserContext, pages: { panel: Page; crm: Page }) {
  const panel = await context.newCDPSession(pages.panel);
  const crm = await context.newCDPSession(pages.crm);
  type Metrics = { metrics: Array<{ name: string; value: number }> };
  const ms = (m: Metrics, name: string) => (m.metrics.find((x) => x.name === name)?.value ?? Number.NaN) * 1000;
  const read = async () => {
    const p = (await panel.send('Performance.getMetrics')) as Metrics;
    const threads = serviceWorkerThreads();
    return {
      wallMs: performance.now(),
      threads,
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
    async stop(): Promise<ExtensionCpuWindow> {
      const after = await read();
      // Only the threads that ran the whole window: another extension's worker (Chromium starts
      // some for a few seconds) is not ours, and a thread that came or went is flagged.
      const kept = [...after.threads.keys()].filter((id) => before.threads.has(id));
      const worker = kept.reduce((sum, id) => sum + after.threads.get(id)! - before.threads.get(id)!, 0);
      return {
        ...(Object.fromEntries(PARTS.filter((k) => k !== 'worker').map((k) => [k, after[k] - before[k]])) as unknown as ExtensionCpu),
        worker,
        wallMs: after.wallMs - before.wallMs,
        workerKept: kept.length > 0 && kept.length === before.threads.size && kept.length === after.threads.size,
      };
    },
  };
}

/** CPU time (ms) of each service worker thread of Chromium's extension processes, from /proc, by process/thread id. */
function serviceWorkerThreads(): Map<string, number> {
  const threads = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--extension-process')) continue;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        if (!stat.includes('(ServiceWorker t')) continue;
        const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
        threads.set(`${pid}/${tid}`, (Number(f[11]) + Number(f[12])) * 10); // USER_HZ = 100
      }
    } catch {
      // a process or thread gone meanwhile
    }
  }
  return threads;
}

/**
 * BENCH_PROFILE=<dir>: V8 CPU profiles of the service worker and the side panel over a window, over
 * CDP. BENCH_TRACE=<dir>: a Chrome trace of the side panel over the same window (the DevTools
 * timeline's categories: style, layout, paint and the commit to the compositor apart from script,
 * which a CPU profile does not show; open it in DevTools' Performance panel). Null with neither.
 */
export async function startExtensionProfiles(context: BrowserContext, panel: Page, workerUrl: string) {
  const dir = process.env.BENCH_PROFILE;
  const traceDir = process.env.BENCH_TRACE;
  if (!dir && !traceDir) return null;
  const panelCdp = await context.newCDPSession(panel);
  const worker = dir ? (await attachToWorker(await context.newCDPSession(panel), workerUrl)).call : null;
  if (worker) {
    await worker('Profiler.enable');
    await worker('Profiler.start');
    await panelCdp.send('Profiler.enable');
    await panelCdp.send('Profiler.start');
  }
  const events: unknown[] = [];
  if (traceDir) {
    panelCdp.on('Tracing.dataCollected', ({ value }) => void events.push(...value));
    await panelCdp.send('Tracing.start', {
      transferMode: 'ReportEvents',
      traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8', 'blink.user_timing'] },
    });
  }
  return {
    /** Writes `<dir>/<name>-worker.cpuprofile`, `<dir>/<name>-panel.cpuprofile` and `<trace dir>/<name>.trace.json`. */
    async stop(name: string) {
      if (worker && dir) {
        const { profile: workerProfile } = await worker('Profiler.stop');
        const { profile: panelProfile } = await panelCdp.send('Profiler.stop');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${name}-worker.cpuprofile`), JSON.stringify(workerProfile));
        writeFileSync(join(dir, `${name}-panel.cpuprofile`), JSON.stringify(panelProfile));
      }
      if (traceDir) {
        const done = new Promise<void>((resolve) => panelCdp.once('Tracing.tracingComplete', () => resolve()));
        await panelCdp.send('Tracing.end');
        await done;
        mkdirSync(traceDir, { recursive: true });
        writeFileSync(join(traceDir, `${name}.trace.json`), JSON.stringify({ traceEvents: events }));
      }
    },
  };
}

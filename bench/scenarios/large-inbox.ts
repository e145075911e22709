import type { Page } from 'playwright-core';
import { signedInBrowser, type ExtensionBrowser } from '../../tests/support/browser';
import { attachToWorker } from '../../tests/support/cdp';
import { seedLargeInbox } from '../../tests/support/seed';
import { benchAgent, createBenchOrgs } from '../agents';
import type { RemoteStack } from '../remote-stack';
import { sleep, summarize } from '../stats';

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const median = (xs: number[]) => summarize(xs).p50;

/** True once the side panel lists at least `n` conversations (its All count: the list is virtualised). */
export const listed = (n: number) => Number(document.querySelector('[data-filter="assignee:all"] .count')?.textContent ?? 0) >= n;

/**
 * Installed in a page before its own scripts run (a string: tsx would wrap inner functions in a
 * helper the page does not have). Notes, against the page's navigation start, when the first
 * conversation row enters the page (a MutationObserver: right after React's commit), when the frame
 * that paints it begins (the next requestAnimationFrame), and when the filter counts show (the
 * panel shows them once it has the whole inbox).
 */
const FIRST_ROWS_PROBE = `{
  const t = (window.__firstRows = {});
  const obs = new MutationObserver(() => {
    if (t.inPage === undefined && document.querySelector('.conversation')) {
      t.inPage = performance.now();
      requestAnimationFrame(() => (t.frame = performance.now()));
    }
    if (t.counts === undefined && document.querySelector('[data-filter="assignee:all"] .count')?.textContent) t.counts = performance.now();
    if (t.inPage !== undefined && t.counts !== undefined) obs.disconnect();
  });
  obs.observe(document, { subtree: true, childList: true, characterData: true });
}`;

/** When a fresh side panel showed its first rows, ms from its navigation start. */
export interface FirstRows {
  /** The first conversation row in the page. */
  inPage: number;
  /** The frame that paints it begins. */
  frame: number;
  /** The filter counts in the page (the whole inbox there). */
  counts: number;
}

/** Every page of `browser` opened from now on notes its first rows (`freshPanel` reads them). */
export const probeFirstRows = (browser: ExtensionBrowser) => browser.context.addInitScript(FIRST_ROWS_PROBE);

/**
 * A fresh side panel (a tab on sidepanel.html, as the tests open it): from its navigation start to
 * the frame that shows its first conversation rows (`probeFirstRows` first). Returns the page (still
 * open) and its times.
 */
export async function freshPanel(browser: ExtensionBrowser): Promise<{ page: Page; first: FirstRows }> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 400, height: 800 });
  await page.goto(`chrome-extension://${browser.extensionId}/sidepanel.html`);
  const probe = () => (window as unknown as { __firstRows: Partial<FirstRows> }).__firstRows;
  await page.waitForFunction(
    () => {
      const t = (window as unknown as { __firstRows: Partial<FirstRows> }).__firstRows;
      return t.frame !== undefined && t.counts !== undefined;
    },
    null,
    { timeout: 20_000 },
  );
  return { page, first: (await page.evaluate(probe)) as FirstRows };
}

/** The service worker's JS heap (MB) after a GC, through CDP's target attachment. */
export async function workerHeapMb(browser: ExtensionBrowser, page: Page): Promise<number> {
  const worker = await attachToWorker(await browser.context.newCDPSession(page), browser.worker.url());
  await worker.call('HeapProfiler.collectGarbage');
  const { usedSize } = (await worker.call('Runtime.getHeapUsage')) as { usedSize: number };
  await worker.detach();
  return usedSize / 2 ** 20;
}

/**
 * A large inbox: `conversations` conversations in the agent's scope (unassigned, no teams), one with
 * `messages` messages, seeded before the agent signs in. Once the worker has them all: its JS heap;
 * `panels` fresh side panels one after another, each timed to its first rows on screen from the
 * worker's cache; the last one scrolls the list end to end and the thread up through its history
 * (long tasks over 50 ms, frame intervals); last, `panels` more with the worker stopped first (Chrome
 * stops an idle one), so the panel's port starts it.
 */
export async function largeInbox(stack: RemoteStack, opts: { conversations: number; messages: number; panels: number }) {
  const [org] = await createBenchOrgs(stack, 1, 0);
  const email = await benchAgent(stack, org!.id);
  const channelId = (await stack.db.query<{ id: string }>('select id from channels where organisation_id = $1', [org!.id])).rows[0]!.id;
  await seedLargeInbox(stack.db, {
    organisationId: org!.id,
    channelId,
    conversations: opts.conversations,
    messages: opts.messages,
    bodySuffix: ' with an ordinary sentence or two of text in it',
  });
  const { browser, panel } = await signedInBrowser({ serverUrl: stack.serverUrl }, email, 'bench password');
  try {
    await probeFirstRows(browser);
    await panel.waitForFunction(listed, opts.conversations, { timeout: 60_000 });
    await sleep(1500); // the inbox written to storage (at most a second after its last change)
    const heapMb = await workerHeapMb(browser, panel);
    await panel.close();

    const warm = await panelsInTurn(browser, opts);
    const scrolling = await scrollBoth(warm.last, opts.messages);
    await warm.last.close();
    const cold = await panelsInTurn(browser, opts, () => stopWorker(browser));
    await cold.last.close();
    const ms = (firsts: FirstRows[]) => firsts.map((f) => f.frame);
    const counts = (firsts: FirstRows[]) => round(median(firsts.map((f) => f.counts)));
    return {
      conversations: opts.conversations,
      messages: opts.messages,
      workerHeapMb: round(heapMb),
      panels: opts.panels,
      firstRowsMs: round(median(ms(warm.firsts))),
      firstRowsMinMs: round(Math.min(...ms(warm.firsts))),
      firstRowsMaxMs: round(Math.max(...ms(warm.firsts))),
      countsMs: counts(warm.firsts),
      coldFirstRowsMs: round(median(ms(cold.firsts))),
      coldFirstRowsMinMs: round(Math.min(...ms(cold.firsts))),
      coldFirstRowsMaxMs: round(Math.max(...ms(cold.firsts))),
      coldCountsMs: counts(cold.firsts),
      ...scrolling,
    };
  } finally {
    await browser.close();
  }
}

/** `opts.panels` fresh side panels one after another (`before` each), each closed before the next but the last. */
async function panelsInTurn(browser: ExtensionBrowser, opts: { conversations: number; panels: number }, before?: () => Promise<void>) {
  const firsts: FirstRows[] = [];
  let last: Page | null = null;
  for (let i = 0; i < opts.panels; i++) {
    await last?.close();
    await before?.();
    const opened = await freshPanel(browser);
    last = opened.page;
    firsts.push(opened.first);
    // The whole inbox there, and the page quiet, before the next.
    await last.waitForFunction(listed, opts.conversations, { timeout: 20_000 });
    await sleep(300);
  }
  return { firsts, last: last! };
}

/** Stops the extension's service worker, as Chrome stops an idle one. */
async function stopWorker(browser: ExtensionBrowser): Promise<void> {
  const page = await browser.context.newPage();
  try {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.send('ServiceWorker.disable');
  } finally {
    await page.close();
  }
  await sleep(300);
}

/** Scrolls the list end to end, then opens the long thread and scrolls it up through its history. */
async function scrollBoth(fresh: Page, messages: number) {
  // A string, not a function: tsx would wrap inner functions in a helper the page does not have.
  const watch = () =>
    fresh.evaluate(`{
        const w = (window.__jank = { tasks: [], frames: [], stop: false });
        new PerformanceObserver((list) => list.getEntries().forEach((e) => w.tasks.push(e.duration))).observe({ type: 'longtask' });
        let last = performance.now();
        const frame = (t) => { w.frames.push(t - last); last = t; if (!w.stop) requestAnimationFrame(frame); };
        requestAnimationFrame(frame);
      }`);
  const collect = () =>
    fresh.evaluate(() => {
      const w = window as unknown as { __jank: { tasks: number[]; frames: number[]; stop: boolean } };
      w.__jank.stop = true;
      const frames = w.__jank.frames.slice(1).sort((a, b) => a - b);
      return {
        longTasks: w.__jank.tasks.length,
        longestTaskMs: Math.max(0, ...w.__jank.tasks),
        frameP95Ms: frames[Math.floor(frames.length * 0.95)] ?? 0,
        domRows: document.querySelectorAll('.conversation, li.message').length,
      };
    });
  await watch();
  const scroller = fresh.locator('.conversations-scroller');
  for (let i = 0; i < 40; i++) {
    await scroller.evaluate((el, step) => el.scrollBy(0, step), 2000);
    await sleep(16);
  }
  const list = await collect();
  await scroller.evaluate((el) => (el.scrollTop = 0));

  await fresh.getByRole('button', { name: /Customer 1\b/ }).click();
  await fresh.getByText(`Message number ${messages} `, { exact: false }).waitFor({ timeout: 20_000 });
  await watch();
  const thread = fresh.locator('.messages-scroller');
  for (let i = 0; i < 40; i++) {
    await thread.evaluate((el) => el.scrollBy(0, -1500));
    await sleep(50);
  }
  const threadStats = await collect();
  const oldestShown = await fresh.evaluate(() =>
    Math.min(...[...document.querySelectorAll('li.message .body')].map((b) => Number(/Message number (\d+)/.exec(b.textContent ?? '')?.[1] ?? Infinity))),
  );
  // Back to the list: the next panels open on it (the open conversation is kept for the session).
  await fresh.getByRole('button', { name: 'Back to conversations' }).click();
  await fresh.locator('.conversation').first().waitFor();
  return {
    listLongTasks: list.longTasks,
    listLongestTaskMs: round(list.longestTaskMs),
    listFrameP95Ms: round(list.frameP95Ms),
    listDomRows: list.domRows,
    threadLongTasks: threadStats.longTasks,
    threadLongestTaskMs: round(threadStats.longestTaskMs),
    threadFrameP95Ms: round(threadStats.frameP95Ms),
    threadDomRows: threadStats.domRows,
    threadMessagesLoaded: messages - oldestShown + 1,
  };
}

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CDPSession, Page } from 'playwright-core';
import { BADGE_SELECTOR } from '../../lib/overlay/badge-element';
import { inboundParams, postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import { EXTENSION_DIR, signedInBrowser } from '../../tests/support/browser';
import { benchAgent, createBenchOrgs } from '../agents';
import type { RemoteStack } from '../remote-stack';
import { sleep } from '../stats';
import { freshPanel, listed, probeFirstRows, workerHeapMb } from './large-inbox';

export { largeInbox } from './large-inbox';

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** Built bundle size per entrypoint: its own files plus the chunks it loads (raw and gzip, kB). */
export function bundleSizes(): Array<{ entrypoint: string; files: number; kB: number; gzipKB: number }> {
  if (!existsSync(EXTENSION_DIR)) throw new Error('build the extension first (npm run build)');
  const size = (files: string[]) => {
    const bytes = files.map((f) => readFileSync(join(EXTENSION_DIR, f)));
    return {
      files: files.length,
      kB: round(bytes.reduce((n, b) => n + b.length, 0) / 1024, 1),
      gzipKB: round(bytes.reduce((n, b) => n + gzipSync(b).length, 0) / 1024, 1),
    };
  };
  const page = (html: string) => {
    const text = readFileSync(join(EXTENSION_DIR, html), 'utf8');
    const refs = [...text.matchAll(/(?:src|href)="\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    return size([html, ...new Set(refs)]);
  };
  const all = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? all(join(dir, f)) : [relative(EXTENSION_DIR, join(dir, f))]));
  return [
    { entrypoint: 'background (service worker)', ...size(['background.js']) },
    { entrypoint: 'content script (CRM pages)', ...size(['content-scripts/overlay.js']) },
    { entrypoint: 'side panel', ...page('sidepanel.html') },
    { entrypoint: 'options page', ...page('options.html') },
    { entrypoint: 'whole extension', ...size(all(EXTENSION_DIR)) },
  ];
}

/** A CRM-like page: `rows` contacts (one number each) among filler, `elements` elements in all. */
function crmPage(rows: number, elements: number): string {
  const formats = (i: number) => {
    const n = String(2000 + (i % 8000)).padStart(4, '0');
    return [`+1 (646) 555-${n}`, `646.555.${n}`, `+1 646 555 ${n}`, `(646) 555-${n}`][i % 4]!;
  };
  const row = (i: number) =>
    `<tr><td><span class="name">Contact ${i}</span></td><td>Company ${i} Ltd</td><td>${formats(i)}</td><td><a href="mailto:c${i}@example.com">c${i}@example.com</a></td><td>2026-11-${String((i % 28) + 1).padStart(2, '0')}</td><td>Order ${100000 + i}</td></tr>`;
  const perRow = 9; // tr, 6 td, span, a
  const filler = Math.max(0, elements - rows * perRow - 4);
  return `<!doctype html><html><head><meta charset="utf-8"><title>bench</title></head><body>
<table><tbody id="rows">${Array.from({ length: rows }, (_, i) => row(i)).join('')}</tbody></table>
<div id="filler">${Array.from({ length: filler }, (_, i) => `<div class="f">Note ${i}: follow up in ${i % 30} days, ref ${i * 7}</div>`).join('')}</div>
</body></html>`;
}

interface Timing {
  name: string;
  duration: number;
  startTime: number;
}
const timings = (page: Page, name: string): Promise<Timing[]> =>
  page.evaluate((n) => performance.getEntriesByName(n).map((e) => ({ name: e.name, duration: e.duration, startTime: e.startTime })), name);

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize / 2 ** 20;
}

/**
 * The CRM content script on a page of `elements` elements with `phones` numbers: the initial scan
 * (its longest slice of work and its total), badges rendered once the background answers, a burst
 * of DOM mutations, and the JS heap the content script adds to the page.
 */
export async function crmOverlay(stack: RemoteStack, opts: { elements: number; phones: number; burst: number }) {
  const [org] = await createBenchOrgs(stack, 1, 1);
  const email = await benchAgent(stack, org!.id);
  const { browser } = await signedInBrowser({ serverUrl: stack.serverUrl }, email, 'bench password');
  try {
    const html = crmPage(opts.phones, opts.elements);
    // The same page where the content script runs (a HubSpot URL) and where it does not.
    await browser.context.route('https://app.hubspot.com/bench**', (r) => r.fulfill({ contentType: 'text/html', body: html }));
    await browser.context.route('https://plain.example.test/**', (r) => r.fulfill({ contentType: 'text/html', body: html }));

    const plain = await browser.context.newPage();
    await plain.goto('https://plain.example.test/bench');
    const plainHeap = await heapMb(await browser.context.newCDPSession(plain));
    await plain.close();

    const page = await browser.context.newPage();
    await page.goto('https://app.hubspot.com/bench');
    const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
    await page.waitForFunction(() => performance.getEntriesByName('switchboard:initial-scan').length > 0, null, { timeout: 30_000 });
    await page.waitForFunction(
      ({ selector, n }) => document.querySelectorAll(selector).length >= n,
      { selector: BADGE_SELECTOR, n: opts.phones },
      { timeout: 30_000 },
    );
    const scan = (await timings(page, 'switchboard:initial-scan'))[0]!;
    const allSlices = await timings(page, 'switchboard:slice');
    const slices = allSlices.filter((s) => s.startTime <= scan.startTime + scan.duration + 1);
    // Slices after the scan until every badge is on screen: rendering the background's answer.
    const renderSlices = allSlices.filter((s) => s.startTime > scan.startTime + scan.duration + 1);
    const heap = await heapMb(await browser.context.newCDPSession(page));
    const beforeBurst = (await timings(page, 'switchboard:slice')).length;

    // A burst: the CRM appends `burst` rows at once (lazy list), then rewrites the text of as many cells.
    const before = (await timings(page, 'switchboard:mutations')).length;
    await page.evaluate((count) => {
      const tbody = document.getElementById('rows')!;
      const frag = document.createDocumentFragment();
      for (let i = 0; i < count; i++) {
        const tr = document.createElement('tr');
        tr.innerHTML = `<td>New ${i}</td><td>Inc</td><td>+1 646 555 ${String(9000 + (i % 999))}</td><td>2026-11-25</td>`;
        frag.append(tr);
      }
      tbody.append(frag);
    }, opts.burst);
    await page.waitForFunction(
      ({ selector, n }) => document.querySelectorAll(selector).length >= n,
      { selector: BADGE_SELECTOR, n: opts.phones + opts.burst },
      { timeout: 30_000 },
    );
    await page.evaluate((count) => {
      const cells = [...document.querySelectorAll('#rows tr td:nth-child(2)')].slice(0, count);
      cells.forEach((td, i) => (td.textContent = `Renamed ${i}`));
    }, opts.burst);
    await sleep(300);
    const burst = (await timings(page, 'switchboard:mutations')).slice(before);
    const burstSlices = (await timings(page, 'switchboard:slice')).slice(beforeBurst);
    return {
      elements,
      phones: opts.phones,
      badges: await page.evaluate((selector) => document.querySelectorAll(selector).length, BADGE_SELECTOR),
      firstSliceMs: round((await timings(page, 'switchboard:first-slice'))[0]!.duration),
      longestSliceMs: round(Math.max(...slices.map((s) => s.duration))),
      scanBusyMs: round(slices.reduce((n, s) => n + s.duration, 0)),
      scanWallMs: round(scan.duration),
      renderBusyMs: round(renderSlices.reduce((n, s) => n + s.duration, 0)),
      renderLongestMs: round(Math.max(0, ...renderSlices.map((s) => s.duration))),
      burstRows: opts.burst,
      burstCallbacks: burst.length,
      burstBusyMs: round(burstSlices.reduce((n, s) => n + s.duration, 0)),
      burstLongestMs: round(Math.max(0, ...burst.map((s) => s.duration), ...burstSlices.map((s) => s.duration))),
      heapAddedMb: round(heap - plainHeap, 1),
    };
  } finally {
    await browser.close();
  }
}

/**
 * The service worker after a long day compressed: `messages` inbound messages (across 200
 * customers) as fast as the server takes them; then the worker's JS heap, and a fresh side panel's
 * first rows from the worker's cache (as in `largeInbox`).
 */
export async function workerAndPanel(stack: RemoteStack, opts: { messages: number }) {
  const [org] = await createBenchOrgs(stack, 1, 1);
  const email = await benchAgent(stack, org!.id);
  const { browser, panel } = await signedInBrowser({ serverUrl: stack.serverUrl }, email, 'bench password');
  try {
    await probeFirstRows(browser);
    await panel.locator('[data-status="live"]').waitFor({ timeout: 20_000 });
    const workerHeap = () => workerHeapMb(browser, panel);
    const heapStart = await workerHeap();
    const url = `${stack.serverUrl}/api/webhooks/twilio`;
    for (let i = 0; i < opts.messages; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, opts.messages - i) }, (_, k) => {
          const params = inboundParams({
            accountSid: stack.twilio.accountSid,
            from: `+1646555${String(3000 + ((i + k) % 200))}`,
            to: org!.number,
            body: `Message ${i + k} with some ordinary text in it`,
          });
          return postSignedWebhook(url, stack.twilio.authToken, params, `${stack.publicUrl}/api/webhooks/twilio`);
        }),
      );
    }
    await panel.waitForFunction(listed, 200, { timeout: 60_000 });
    await sleep(1000);
    const heapEnd = await workerHeap();

    // A fresh side panel: how soon it shows its first rows from the worker's cache.
    const { first } = await freshPanel(browser);
    return {
      messages: opts.messages,
      workerHeapStartMb: round(heapStart, 1),
      workerHeapEndMb: round(heapEnd, 1),
      conversations: 200,
      panelFirstRowsMs: round(first.frame, 1),
      panelCountsMs: round(first.counts, 1),
    };
  } finally {
    await browser.close();
  }
}

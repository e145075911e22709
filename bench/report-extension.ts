import { table } from './report-scope';

type Figures = Record<string, number | string | undefined>;

/** The extension scenario's results (`npm run bench -- --only extension`, bench/scenarios/extension.ts). */
export interface ExtensionResult {
  bundles: Array<{ entrypoint: string; files: number; kB: number; gzipKB: number }>;
  crm: Record<string, number>;
  worker: Figures;
  large?: Figures;
}

const v = (x: number | string | undefined) => (x === undefined ? '-' : x);
/** A median with the range it came from: `96.8 (86.6–108.7)`. */
const spread = (f: Figures, key: string) =>
  f[key] === undefined ? '-' : `${f[key]} (${f[`${key.replace(/Ms$/, '')}MinMs`]}–${f[`${key.replace(/Ms$/, '')}MaxMs`]})`;

function bundles(now: ExtensionResult, before: ExtensionResult | undefined): string[] {
  const was = (entrypoint: string) => before?.bundles.find((b) => b.entrypoint === entrypoint);
  return table(
    ['entrypoint', 'files', 'kB', 'gzip kB', ...(before ? ['before: files', 'kB', 'gzip kB'] : [])],
    now.bundles.map((b) => [
      b.entrypoint,
      b.files,
      b.kB,
      b.gzipKB,
      ...(before ? [v(was(b.entrypoint)?.files), v(was(b.entrypoint)?.kB), v(was(b.entrypoint)?.gzipKB)] : []),
    ]),
  );
}

function crmOverlay(c: ExtensionResult['crm']): string[] {
  return [
    `### CRM content script on a page of ${c.elements} elements with ${c.phones} phone numbers (Chromium)`,
    '',
    "Timed by the content script's own user-timing entries (`switchboard:slice`, one per slice of work), read from the page.",
    '',
    ...table(
      ['measure', 'value'],
      [
        ['first slice of the initial scan', `${c.firstSliceMs} ms`],
        ['longest slice (the most the page is held at once)', `${c.longestSliceMs} ms`],
        ['initial scan, all slices', `${c.scanBusyMs} ms of work over ${c.scanWallMs} ms (idle time between)`],
        [`badges rendered (${c.phones} numbers), all slices / longest`, `${c.renderBusyMs} ms / ${c.renderLongestMs} ms`],
        [
          `burst: ${c.burstRows} rows with numbers appended at once, then as many cells rewritten`,
          `${c.burstBusyMs} ms of work, longest ${c.burstLongestMs} ms`,
        ],
        ['JS heap the content script adds to the page', `${c.heapAddedMb} MB`],
      ],
    ),
    '',
    "The 16 ms frame budget holds per slice, not for the whole scan: walking 10,000 elements and their text from an extension's isolated world costs about 2-3 µs a node, and parsing 500 numbers with libphonenumber-js a few milliseconds more, so the scan is spread over idle time in slices of about 6-12 ms (the rest of the page stays responsive), and later DOM changes cost in proportion to what changed.",
    '',
  ];
}

/** What the first-rows figures time, said once for both tables. */
const FIRST_ROWS =
  "A fresh side panel is a new tab on the extension's `sidepanel.html` (the built extension, as the tests open it), 400×800 px. **First rows on screen** is timed from the page's navigation start to the beginning of the frame that paints its first conversation row: a script installed before the page's own (Playwright's init script) notes when the first row enters the page (a MutationObserver, right after React's commit) and the next `requestAnimationFrame`. **Counts** is when the filter counts appear, which the panel shows once it has the whole inbox (before issue 34's first-paint work they came with the first rows). Nothing here is the page's own mark.";

function workerAndPanel(w: Figures, was: Figures | undefined): string[] {
  const row = (label: string, f: Figures) => [label, v(f.messages), v(f.workerHeapStartMb), v(f.workerHeapEndMb), v(f.panelFirstRowsMs), v(f.panelCountsMs)];
  return [
    '### Service worker and side panel after a compressed hour',
    '',
    `${w.messages} inbound messages from 200 customers as fast as the server takes them; the worker's JS heap (after a forced GC) before and after; then one fresh side panel on the ${w.conversations} conversations.`,
    '',
    ...table(
      ['', 'inbound messages', 'worker heap before MB', 'after MB', 'first rows on screen ms', 'counts ms'],
      [...(was ? [row('before', was)] : []), row(was ? 'now' : '', w)],
    ),
    '',
  ];
}

function largeInbox(l: Figures, was: Figures | undefined): string[] {
  const row = (label: string, f: Figures) => [
    label,
    v(f.workerHeapMb),
    spread(f, 'firstRowsMs'),
    v(f.countsMs),
    spread(f, 'coldFirstRowsMs'),
    v(f.coldCountsMs),
  ];
  return [
    '### A large inbox in the side panel',
    '',
    `${l.conversations} conversations in the agent's scope (unassigned, no teams), one of them with ${l.messages} messages, seeded before the agent signs in. Once the worker lists them all: its JS heap after a forced GC (CDP \`HeapProfiler.collectGarbage\`, then \`Runtime.getHeapUsage\` on the worker). Then ${l.panels} fresh side panels one after another, each once the previous one had the whole inbox, with the worker running (as while the agent works: its sockets keep it alive); then ${l.panels} more with the worker stopped first (CDP \`ServiceWorker.stopAllWorkers\`, as Chrome stops an idle worker), so the panel's port starts it and it reads the stored inbox. Medians, with the range.`,
    '',
    FIRST_ROWS,
    '',
    ...table(
      ['', 'worker heap MB', 'first rows on screen ms', 'counts ms', 'worker stopped: first rows ms', 'counts ms'],
      [...(was ? [row('before', was)] : []), row(was ? 'now' : '', l)],
    ),
    '',
    `Then the last fresh panel's list is scrolled end to end (40 steps of 2,000 px, one every 16 ms), then the long thread is opened and scrolled up through its history (40 steps of 1,500 px), older pages loading as it goes. Long tasks are the browser's (over 50 ms); frame intervals come from requestAnimationFrame. Both lists are virtualised (the conversations with @tanstack/react-virtual, the thread with react-virtuoso), so the page holds only about a screenful of rows.`,
    '',
    ...table(
      ['', 'long tasks', 'longest task ms', 'frame interval p95 ms', 'rows in the page'],
      [
        ['list', v(l.listLongTasks), v(l.listLongestTaskMs), v(l.listFrameP95Ms), v(l.listDomRows)],
        [
          `thread (${v(l.threadMessagesLoaded)} messages loaded while scrolling)`,
          v(l.threadLongTasks),
          v(l.threadLongestTaskMs),
          v(l.threadFrameP95Ms),
          v(l.threadDomRows),
        ],
      ],
    ),
    '',
  ];
}

/** docs/benchmarks.md's section on the extension itself: the latest run and, when kept, the run before issue 34's first-paint work. */
export function extensionSection(now: ExtensionResult | undefined, before: ExtensionResult | undefined): string[] {
  if (!now) return [];
  return [
    '## The extension itself',
    '',
    ...(before
      ? [
          'The "before" figures are the same scenario on the extension as it was before issue 34\'s first-paint work (docs/delivery-scope.md, "First paint"), kept in `bench-results/extension-before.json`; the machine is shared, so compare the medians, not single panels.',
          '',
        ]
      : []),
    '### Built bundle per entrypoint (with the chunks it loads)',
    '',
    ...bundles(now, before),
    '',
    ...crmOverlay(now.crm),
    ...workerAndPanel(now.worker, before?.worker),
    ...(now.large ? largeInbox(now.large, before?.large) : []),
  ];
}

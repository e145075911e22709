import type { BrowserContext, Page } from 'playwright-core';
import { BADGE_SELECTOR } from '../lib/overlay/badge-element';

/**
 * A CRM page (HubSpot's URL, served here) listing one customer per number of `phones` (as the CRM
 * shows them, e.g. `+1 (646) 555-2000`), open once the content script has put a badge on each.
 */
export async function openCrmPage(context: BrowserContext, phones: string[]): Promise<Page> {
  const html = `<!doctype html><table>${phones.map((p, k) => `<tr><td>Customer ${k}</td><td>${p}</td></tr>`).join('')}</table>`;
  await context.route('https://app.hubspot.com/bench-crm', (r) => r.fulfill({ contentType: 'text/html', body: html }));
  const crm = await context.newPage();
  await crm.goto('https://app.hubspot.com/bench-crm');
  await crm.waitForFunction(
    ({ selector, n }) => document.querySelectorAll(selector).length === n,
    { selector: BADGE_SELECTOR, n: phones.length },
    {
      timeout: 20_000,
    },
  );
  return crm;
}

/**
 * Notes in the side panel the first time each text matching `pattern` (a global RegExp source,
 * e.g. `\[sp:\d+\]`) appears on screen, against the load generator's clock; `seen()` reads the
 * notes: text → when (ms since the epoch). Bracket the texts: text nodes run together in textContent.
 */
export async function watchPanelText(panel: Page, pattern: string) {
  await panel.evaluate((source) => {
    const seen: Record<string, number> = {};
    (window as unknown as { __seen: typeof seen }).__seen = seen;
    const re = new RegExp(source, 'g');
    // Only what changed is read (added nodes, changed text): reading a whole list's text on every
    // mutation cost the measured page more than some of what is measured. (No named helper here:
    // the bench's transpiler would wrap it in one the page does not have.)
    new MutationObserver((mutations) => {
      const t = performance.timeOrigin + performance.now();
      for (const m of mutations) {
        const texts = m.type === 'characterData' ? [m.target.textContent] : [...m.addedNodes].map((n) => n.textContent);
        for (const text of texts) for (const found of text?.match(re) ?? []) seen[found] ??= t;
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, pattern);
  return { seen: () => panel.evaluate(() => (window as unknown as { __seen: Record<string, number> }).__seen) };
}

/**
 * The browser's own cost of what a message changes in the side panel, with none of the
 * extension's code: the panel's page as it is (its styles and its rows, copied into a plain page
 * of the same size) where, `steps` times at `rate` a second, the fourth row on screen gets a new
 * preview, time and unread count and moves to the top (the three above it move down; their place
 * in the list, the tab stop and the list's reading order change as the panel's do). What a page
 * pays per frame on this machine for that change (style, layout, paint, the commit to the
 * compositor, the task): a floor under the side panel's CPU per message. Returns ms per step (the
 * page's main thread, `TaskDuration` in thread time, as the panel is measured).
 */
export async function frameFloor(context: BrowserContext, panel: Page, opts: { rate: number; steps: number }): Promise<number> {
  const copy = await panel.evaluate(() => ({
    css: [...document.styleSheets].map((s) => [...s.cssRules].map((r) => r.cssText).join('\n')).join('\n'),
    html: document.body.innerHTML,
    attrs: [...document.documentElement.attributes].map((a) => [a.name, a.value]),
    size: { width: window.innerWidth, height: window.innerHeight },
  }));
  const page = await context.newPage();
  try {
    await page.setViewportSize(copy.size);
    const attrs = copy.attrs.map(([n, v]) => `${n}="${v!.replaceAll('"', '&quot;')}"`).join(' ');
    await page.setContent(`<!doctype html><html ${attrs}><head><style>${copy.css}</style></head><body>${copy.html}</body></html>`);
    const rows = await page.locator('.conversation-item').count();
    if (rows < 4) throw new Error(`the floor needs the side panel's list with four rows on screen; it has ${rows}`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    type Metrics = { metrics: Array<{ name: string; value: number }> };
    const taskMs = async () => ((await cdp.send('Performance.getMetrics')) as Metrics).metrics.find((m) => m.name === 'TaskDuration')!.value * 1000;
    await page.waitForTimeout(500);
    const before = await taskMs();
    await page.evaluate(
      ({ rate, steps }) =>
        new Promise<void>((resolve) => {
          const list = document.querySelector('[role="list"]')!;
          const rows = [...document.querySelectorAll<HTMLElement>('.conversation-item')];
          // (No named helpers: the bench's transpiler would wrap them in one the page does not have.)
          // Where the list put each row, and in its own form (the virtualizer writes translate3d; an
          // older one wrote translateY): a row not found in place fails the run rather than stacking
          // the rows at the top and measuring another change.
          const places = rows.map((el) => Number(/translate(?:Y\(|3d\([^,]*,\s*)(-?[\d.]+)px/.exec(el.style.transform)?.[1] ?? Number.NaN));
          if (places.some((at) => Number.isNaN(at)) || new Set(places).size < 4)
            throw new Error(`rows not placed by a transform: ${rows.map((el) => el.style.transform).join('; ')}`);
          const threeD = rows[0]!.style.transform.startsWith('translate3d');
          // The four rows on screen first, top to bottom.
          const top = rows
            .map((el, i) => ({ el, at: places[i]! }))
            .sort((a, b) => a.at - b.at)
            .slice(0, 4);
          const tops = top.map((r) => r.at);
          const order = top.map((r) => r.el);
          let step = 0;
          const timer = setInterval(() => {
            const moved = order.pop()!;
            order.unshift(moved);
            const texts = [
              ['.preview bdi', `[floor:${step}] a customer writes again`],
              ['time', `12:${String(step % 60).padStart(2, '0')}`],
              ['.unread-count', String(step + 1)],
            ];
            for (const [selector, value] of texts) {
              const el = moved.querySelector(selector!);
              if (el) el.textContent = value!;
            }
            moved.querySelector('.unread-count')?.setAttribute('aria-label', `${step + 1} unread`);
            order.forEach((row, i) => {
              row.style.transform = threeD ? `translate3d(0px, ${tops[i]}px, 0px)` : `translateY(${tops[i]}px)`;
              row.setAttribute('aria-posinset', String(i + 1));
              row.dataset.index = String(i);
              row.querySelector('button')?.setAttribute('tabindex', i === 0 ? '0' : '-1');
            });
            list.setAttribute('aria-owns', order.map((r) => r.id).join(' '));
            if (++step === steps) {
              clearInterval(timer);
              setTimeout(resolve, 200);
            }
          }, 1000 / rate);
        }),
      opts,
    );
    return Math.round((((await taskMs()) - before) / opts.steps) * 1000) / 1000;
  } finally {
    await page.close();
  }
}

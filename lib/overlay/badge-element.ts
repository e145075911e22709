import type { BadgeInfo } from './badge-info';
import type { BadgeLanguage } from './badge-language';

/**
 * The marker on every badge's host. What the page can see of a badge is the documented contract
 * and nothing more: this marker, `data-phone`, `data-unread` and `data-typing`. A CRM page is not
 * trusted (nor any script on it): names, previews and who types live only inside a closed shadow
 * root, and only a real click (or key press) of the agent opens anything.
 */
const MARKER = 'data-switchboard-badge';

/**
 * Selects the badges on a page: plain `span` hosts with the marker.
 * @example document.querySelectorAll(`${BADGE_SELECTOR}[data-phone="+14155550134"]`)
 */
export const BADGE_SELECTOR = `span[${MARKER}]`;

/** The closed shadow roots of the badges: reachable from the content script only, never from the page. */
const roots = new WeakMap<HTMLElement, ShadowRoot>();

/** Whether a node is one of our badges (not merely something the page marked to look like one). */
export function isBadge(node: Node): boolean {
  return roots.has(node as HTMLElement);
}

/**
 * Badge styles live in the badge's shadow root. `!important` on `:host` wins over the page's own
 * `!important` rules (inner context wins for important declarations), so no CRM stylesheet can
 * restyle, hide or resize a badge; `all: initial` keeps inherited fonts and colours out.
 */
const STYLES = `
:host {
  all: initial !important;
  display: inline-flex !important;
  vertical-align: middle !important;
  position: relative !important;
  margin: 0 !important;
  margin-inline-start: 4px !important;
  padding: 0 !important;
  height: 1.25em !important;
  max-height: 18px !important;
  line-height: 1 !important;
  font: 600 11px/1 system-ui, -apple-system, "Segoe UI", sans-serif !important;
  visibility: visible !important;
  opacity: 1 !important;
  float: none !important;
}
.pill {
  all: unset; cursor: pointer; position: relative;
  display: inline-flex; align-items: center; gap: 3px; box-sizing: border-box;
  height: 100%; padding: 0 6px; border-radius: 9px; font: inherit;
  background: #e7f8ee; color: #0b6b39; border: 1px solid #9fdcb9; white-space: nowrap;
}
:host([data-unread]:not([data-unread="0"])) .pill { background: #1f9d55; color: #fff; border-color: #1f9d55; }
.pill:focus-visible { outline: 2px solid #2563eb; outline-offset: 1px; }
/* The target a click or tap may hit: at least 24 px wide (the pill itself) and 24 px tall (above and below it, without moving the page's text). */
.pill { min-width: 24px; justify-content: center; }
.pill::after { content: ''; position: absolute; left: 0; right: 0; top: 50%; height: 24px; transform: translateY(-50%); }
.pill.viewing { box-shadow: 0 0 0 2px #f59e0b66; }
.icon { width: 10px; height: 10px; fill: currentColor; }
.count:empty, .label:empty { display: none; }
.dots { display: none; gap: 2px; }
:host([data-typing]) .dots { display: inline-flex; }
.dots i { width: 3px; height: 3px; border-radius: 50%; background: currentColor; animation: blink 1.2s infinite; }
.dots i:nth-child(2) { animation-delay: .2s; } .dots i:nth-child(3) { animation-delay: .4s; }
@keyframes blink { 0%, 80%, 100% { opacity: .25 } 40% { opacity: 1 } }
@media (prefers-reduced-motion: reduce) { .dots i { animation: none; } }
.tip {
  display: none; position: absolute; z-index: 2147483647; inset-inline-start: 0; top: calc(100% + 6px);
  box-sizing: border-box; width: max-content; min-width: 200px; max-width: 300px; padding: 10px 12px; border-radius: 8px;
  background: #fff; color: #1d2330; border: 1px solid #d7dce3; font: 400 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
  white-space: pre-wrap; overflow-wrap: anywhere; box-shadow: 0 6px 20px #1d233033; pointer-events: none; text-align: start;
}
:host(:hover) .tip, .pill:focus-visible + .tip { display: grid; gap: 2px; }
/* Every line is drawn from an attribute, never held as text (see renderBadge). */
.tip span[data-text]::before { content: attr(data-text); }
.tip span[data-text=""] { display: none; }
.tip .head { display: flex; align-items: baseline; gap: 8px; justify-content: space-between; }
.tip .name::before { font-weight: 600; font-size: 14px; }
.tip .unread::before { display: inline-block; min-width: 18px; padding: 0 6px; border-radius: 9px; background: #1f9d55; color: #fff; font: 600 12px/18px system-ui, sans-serif; text-align: center; }
.tip .preview { color: #566070; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.tip .meta { color: #566070; font-size: 12px; }
.tip .activity { color: #0b6b39; font-size: 12px; }
@media (prefers-color-scheme: dark) {
  .tip { background: #1d2330; color: #e8ebf0; border-color: #3a4252; }
  .tip .preview, .tip .meta { color: #b4bcc8; }
  .tip .activity { color: #6ee7a8; }
}
`;

const ICON_PATH =
  'M8 1a7 7 0 0 0-6.1 10.4L1 15l3.7-.9A7 7 0 1 0 8 1zm3.6 9.7c-.2.4-.9.8-1.3.8-.3 0-.7.1-2.3-.5a7.8 7.8 0 0 1-3-2.7c-.3-.4-.8-1.2-.8-2.2s.5-1.5.7-1.7c.2-.2.4-.2.5-.2h.4c.1 0 .3 0 .4.3l.6 1.4c0 .1.1.2 0 .4l-.2.3-.3.3c-.1.1-.2.2-.1.4.1.2.6 1 1.3 1.6.9.8 1.6 1 1.8 1.1.2.1.3.1.4 0l.6-.7c.1-.2.3-.2.4-.1l1.3.6c.2.1.3.2.4.2.1.1.1.5-.1.9z';

const sheets = new WeakMap<Document, CSSStyleSheet | null>();

/** One parsed stylesheet per document, shared by all its badges (parsing it per badge costs more than the badge). */
function sharedSheet(doc: Document): CSSStyleSheet | null {
  if (!sheets.has(doc)) {
    try {
      const View = doc.defaultView as (Window & typeof globalThis) | null;
      const sheet = new (View?.CSSStyleSheet ?? CSSStyleSheet)();
      sheet.replaceSync(STYLES);
      sheets.set(doc, sheet);
    } catch {
      sheets.set(doc, null); // no constructable stylesheets here: each badge gets a <style>
    }
  }
  return sheets.get(doc) ?? null;
}

/**
 * A new badge for a number; `activate` runs on the agent's real click, Enter or Space on it. A
 * scripted `click()` or synthetic event from the page is ignored (`isTrusted` is false).
 */
export function createBadge(doc: Document, phone: string, activate: (phone: string) => void): HTMLElement {
  // The host is a plain `span`, never a custom element: the page owns the custom element registry,
  // and a page that defines our tag first gets the element upgraded to its own class, whose
  // `attachInternals().shadowRoot` is the closed root (issue 29). A built-in created without `is`
  // cannot be defined or upgraded by the page; `span` accepts a shadow root.
  const host = doc.createElement('span');
  host.setAttribute(MARKER, '');
  host.dataset.phone = phone;
  const root = host.attachShadow({ mode: 'closed', delegatesFocus: true });
  roots.set(host, root);
  const sheet = sharedSheet(doc);
  if (sheet) root.adoptedStyleSheets = [sheet];
  // A real button inside the closed root: focusable, announced, activated by Enter and Space.
  const pill = doc.createElement('button');
  pill.type = 'button';
  pill.className = 'pill';
  const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const path = doc.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', ICON_PATH);
  svg.append(path);
  const count = doc.createElement('span');
  count.className = 'count';
  const label = doc.createElement('span');
  label.className = 'label';
  const dots = doc.createElement('span');
  dots.className = 'dots';
  dots.append(doc.createElement('i'), doc.createElement('i'), doc.createElement('i'));
  pill.append(svg, count, label, dots);
  const tip = doc.createElement('span');
  tip.className = 'tip';
  tip.setAttribute('role', 'tooltip');
  // A card like the side panel's rows: name and unread, the last message, who has it, who is at it.
  const line = (className: string) => {
    const el = doc.createElement('span');
    el.className = className;
    el.setAttribute('data-text', '');
    return el;
  };
  const head = doc.createElement('span');
  head.className = 'head';
  head.append(line('name'), line('unread'));
  tip.append(head, line('preview'), line('meta'), line('activity'));
  if (!sheet) {
    const style = doc.createElement('style');
    style.textContent = STYLES;
    root.append(style);
  }
  root.append(pill, tip);

  pill.addEventListener('click', (e) => {
    // The badge often sits in a clickable row or card: the CRM must not see this click.
    e.preventDefault();
    e.stopPropagation();
    if (e.isTrusted) activate(phone);
  });
  // Keep the page's own handlers (row selection, drag) from reacting to presses on the badge.
  for (const type of ['click', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'dblclick', 'keydown'] as const)
    host.addEventListener(type, (e) => e.stopPropagation());
  return host;
}

/**
 * Shows a number's state on its badge, in the agent's language (mirrored for a right-to-left one:
 * `dir` and `lang` sit inside the closed root, so the page learns nothing of them). Every
 * customer-controlled string goes in as text.
 */
export function renderBadge(host: HTMLElement, info: BadgeInfo, { t, formats, dir, language }: BadgeLanguage): void {
  const root = roots.get(host)!;
  const pill = root.querySelector('.pill')!;
  const count = root.querySelector('.count')!;
  const label = root.querySelector('.label')!;
  const tip = root.querySelector('.tip')!;
  for (const el of [pill, tip]) {
    el.setAttribute('dir', dir);
    el.setAttribute('lang', language);
  }
  host.dataset.unread = String(info.unread);
  host.toggleAttribute('data-typing', info.typing.length > 0);
  pill.classList.toggle('viewing', info.viewing.length > 0);
  const unread = info.unread > 0 ? formats.number.format(info.unread) : '';
  count.textContent = unread;
  label.textContent = info.conversationId ? '' : 'WhatsApp';

  const who = info.name ?? host.dataset.phone ?? '';
  let text: string;
  let aria: string;
  const lines = { name: '', unread: '', preview: '', meta: '', activity: '' };
  if (!info.conversationId) {
    text = t('badge.start');
    aria = t('badge.startWith', { phone: host.dataset.phone });
    lines.name = text;
    lines.meta = host.dataset.phone ?? '';
  } else {
    const names = (list: string[]) => ({ count: list.length, names: formats.list.format(list) });
    const activity = info.typing.length ? t('badge.typing', names(info.typing)) : info.viewing.length ? t('badge.viewing', names(info.viewing)) : '';
    const a = info.assignee;
    const owner = !a ? t('badge.owner.none') : a.me ? t('badge.owner.mine') : a.name ? t('badge.owner.assigned', { name: a.name }) : t('badge.owner.colleague');
    text = [info.lastMessage ? t('badge.lastMessage', { name: who, message: info.lastMessage }) : who, owner, activity].filter(Boolean).join('\n');
    const summary = { name: who, count: info.unread, owner, activity };
    aria = activity ? t('badge.summaryActivity', summary) : t('badge.summary', summary);
    Object.assign(lines, { name: who, unread, preview: info.lastMessage ?? '', meta: owner, activity });
  }
  // Drawn by `::before` from attributes, not held as text: `window.find()` (and the browser's
  // find in page) searches the text of closed shadow roots too, so a page could test guesses of the
  // shown card letter by letter; generated content is not searched. The card's whole text is kept
  // on it as well (`data-text`, not drawn), as one reads it.
  for (const [name, value] of Object.entries(lines)) tip.querySelector(`.${name}`)!.setAttribute('data-text', value);
  tip.setAttribute('data-text', text);
  pill.setAttribute('aria-label', aria);
}

import type { CountryCode } from 'libphonenumber-js';
import { createBadge, isBadge, renderBadge } from './badge-element';
import type { BadgeInfo } from './badge-info';
import { followBadgeLanguage, type BadgeLanguage } from './badge-language';
import { PageWatcher } from './page-watch';
import { PhoneReport } from './phone-report';
import { findPhones, mayHoldPhone, parsePhone } from './phones';
import { CARRIERS, inputPhone, isElement, isText, joinSplits, linkPhone, SKIPPED } from './scan-rules';
import type { CrmSite } from './sites';
import { TimeSlicer } from './slices';

export interface OverlayOptions {
  site: CrmSite;
  defaultCountry: CountryCode;
  /** The set of numbers on the page changed (sorted, unique). */
  onPhones(phones: string[]): void;
  /** A badge was clicked. */
  onOpen(phone: string): void;
  /** Calls back with the agent's language, then on each change; returns the stop (default: `followBadgeLanguage`). */
  followLanguage?: (onChange: (language: BadgeLanguage) => void) => () => void;
}

/** A number found on the page: the node the badge follows, and the badge once there is one. */
interface Spot {
  phone: string;
  badge: HTMLElement | null;
  /** Times the page removed the badge while its number stayed; we stop re-adding after a few. */
  evictions: number;
}
const MAX_EVICTIONS = 3;

/**
 * Finds phone numbers on a page, in open shadow roots and same-origin iframes, puts a
 * badge (`BADGE_SELECTOR`) right after each, and keeps up with the page: added, changed and removed
 * nodes are handled as they happen (work proportional to the change), large scans run in slices
 * so the page stays responsive. Owns no connection: badge data comes in through `setBadges`.
 */
export class Overlay {
  private readonly spots = new Map<Node, Spot>();
  private readonly splits: Array<[Text, Text]> = [];
  /** Work waiting for a slice: subtrees to scan, or a pass that renders badges. */
  private readonly slices = new TimeSlicer<Node | 'render'>(
    (task) => (task === 'render' ? this.renderJob() : this.scanJob(task)),
    () => this.drained(),
  );
  private info = new Map<string, BadgeInfo>();
  private dirty = new Set<string>();
  private signedIn = false;
  /** Null until the agent's language is read: no badge shows in a language it then changes from. */
  private language: BadgeLanguage | null = null;
  private stopLanguage: (() => void) | null = null;
  private readonly report = new PhoneReport(
    () => this.phones(),
    (phones) => this.options.onPhones(phones),
  );
  /** Selector of everything never scanned (SKIPPED and the site's ignore list). */
  private readonly ignore: string;
  private readonly carriers: string;
  private readonly attributeFields: Array<{ selector: string; attribute: string }>;
  private stopped = false;
  private initialDone = false;
  /** Observers on the document, its open shadow roots and same-origin frames. */
  private readonly watcher: PageWatcher;

  constructor(private readonly options: OverlayOptions) {
    this.ignore = [...SKIPPED, ...(options.site.ignore ?? [])].join(',');
    this.attributeFields = options.site.phoneAttributes ?? [];
    this.carriers = [CARRIERS, ...this.attributeFields.map((f) => f.selector)].join(',');
    this.watcher = new PageWatcher({
      attributes: this.attributeFields.map((f) => f.attribute),
      onMutations: (records) => this.onMutations(records),
      onRoot: (node) => this.enqueue(node),
      onInput: (input) => {
        this.enqueue(input);
        this.slices.run();
      },
      onFrameLoad: () => this.slices.later(),
    });
  }

  /** Scans the document: the first slice at once, the rest in idle time. */
  start(doc: Document = document): void {
    performance.mark('switchboard:scan-start');
    this.stopLanguage = (this.options.followLanguage ?? followBadgeLanguage)((language) => {
      this.language = language;
      this.redraw(this.info.keys());
    });
    this.watcher.attachRoot(doc);
    this.slices.run();
    performance.measure('switchboard:first-slice', 'switchboard:scan-start');
  }

  /** Removes every badge, undoes text splits, and stops watching the page. */
  stop(): void {
    this.stopped = true;
    this.watcher.stop();
    this.slices.stop();
    this.report.stop();
    for (const spot of this.spots.values()) spot.badge?.remove();
    this.spots.clear();
    joinSplits(this.splits);
    this.stopLanguage?.();
  }

  /**
   * Badge data from the background: for every number this page reported (`complete`), or for the
   * numbers whose badge changed since its last notice.
   */
  setBadges(signedIn: boolean, badges: Record<string, BadgeInfo>, complete = true): void {
    const all = signedIn !== this.signedIn;
    // Only numbers whose badge changed are touched: work follows the change, not the page.
    let changed: string[];
    if (complete) {
      const next = new Map(Object.entries(badges));
      changed = [...new Set([...this.info.keys(), ...next.keys()])].filter(
        (phone) => all || JSON.stringify(this.info.get(phone)) !== JSON.stringify(next.get(phone)),
      );
      this.info = next;
    } else {
      for (const [phone, info] of Object.entries(badges)) this.info.set(phone, info);
      changed = all ? [...this.info.keys()] : Object.keys(badges);
    }
    this.signedIn = signedIn;
    this.redraw(changed);
  }

  /** Renders these numbers' badges again, in slices. */
  private redraw(phones: Iterable<string>): void {
    for (const phone of phones) this.dirty.add(phone);
    if (this.dirty.size && !this.slices.has('render')) this.slices.push('render');
    this.slices.run();
  }

  /** Brings changed badges up to date, a few at a time (creating hundreds at once is a long task). */
  private *renderJob(): Generator<void, void, undefined> {
    const dirty = this.dirty;
    this.dirty = new Set();
    let i = 0;
    for (const [anchor, spot] of [...this.spots]) {
      if (!dirty.has(spot.phone) || this.spots.get(anchor) !== spot) continue;
      this.render(anchor, spot);
      if (++i % 16 === 0) yield;
    }
  }

  /** Numbers currently found on the page. */
  phones(): string[] {
    return [...new Set([...this.spots.values()].map((s) => s.phone))].sort();
  }

  // ---- discovery ------------------------------------------------------------------------------

  private enqueue(node: Node): void {
    this.slices.push(node);
  }

  /** The queue ran dry: report the page's numbers; the first time, the initial scan is done. */
  private drained(): void {
    this.report.now();
    if (!this.initialDone) {
      this.initialDone = true;
      performance.measure('switchboard:initial-scan', 'switchboard:scan-start');
    }
  }

  /**
   * Scans one subtree, yielding every few units of work so it can pause between slices. Native
   * queries do the walking (a JavaScript filter called for every node costs more than the scan):
   * first the elements that hold a number themselves, shadow roots and frames, then text nodes.
   */
  private *scanJob(node: Node): Generator<void, void, undefined> {
    if (!node.isConnected) return;
    if (isText(node)) return this.scanText(node);
    const root = node as Element | Document | ShadowRoot;
    if (isElement(node) && this.isIgnored(node)) return;
    const doc = node.ownerDocument ?? (node as Document);
    if (isElement(node)) {
      if (node.matches(this.carriers)) this.elementSpot(node);
      if (node.shadowRoot && !this.spots.has(node)) this.watcher.attachRoot(node.shadowRoot);
      else if (node.tagName === 'IFRAME') this.watcher.attachFrame(node as HTMLIFrameElement);
    }
    const carriers = root.querySelectorAll(this.carriers);
    for (let i = 0; i < carriers.length; i++) {
      const el = carriers[i]!;
      if (!el.closest(this.ignore)) this.elementSpot(el);
      if (i % 32 === 31) yield;
    }
    // One pass over elements (shadow roots, frames) and text (numbers), no filter callback.
    const walker = doc.createTreeWalker(root, 5 /* SHOW_ELEMENT | SHOW_TEXT */);
    let i = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.nodeType === 3) {
        if (mayHoldPhone((n as Text).data)) {
          this.scanText(n as Text);
          i += 16;
        }
      } else if ((n as Element).shadowRoot) {
        // A field that stands for its number (a site's attribute field) is not looked into.
        if (!this.spots.has(n)) this.watcher.attachRoot((n as Element).shadowRoot!);
      } else if ((n as Element).tagName === 'IFRAME') this.watcher.attachFrame(n as HTMLIFrameElement);
      if (++i >= 128) {
        i = 0;
        yield;
      }
    }
  }

  /** Inside code, an editor, a site's ignored area or one of our badges. */
  private isIgnored(el: Element): boolean {
    return el.closest(this.ignore) !== null;
  }

  /** Handles an element that stands for a number by itself (link, input, attribute); true to skip its subtree. */
  private elementSpot(el: Element): boolean {
    const { defaultCountry } = this.options;
    if (el.tagName === 'A') {
      const phone = linkPhone(el, defaultCountry);
      if (phone) {
        this.addSpot(el, phone);
        return true;
      }
      if (this.spots.has(el)) this.removeSpot(el);
      return false;
    }
    if (el.tagName === 'INPUT') {
      const phone = inputPhone(el as HTMLInputElement, defaultCountry);
      if (phone) this.addSpot(el, phone);
      else if (this.spots.has(el)) this.removeSpot(el);
      return true;
    }
    for (const field of this.attributeFields) {
      if (el.matches(field.selector)) {
        const phone = parsePhone(el.getAttribute(field.attribute) ?? '', defaultCountry);
        if (phone) {
          this.addSpot(el, phone);
          return true;
        }
      }
    }
    return false;
  }

  /** Finds numbers in a text node; splits it after a number that has more text behind it. */
  private scanText(text: Text): void {
    const parent = text.parentElement;
    if (!parent) return;
    const data = text.data;
    const known = this.spots.get(text);
    if (!mayHoldPhone(data)) {
      if (known) this.removeSpot(text);
      return;
    }
    // Inside a link or button, the badge goes after that element, never inside it.
    const holder = parent.closest('a, button, label');
    if ((holder && this.spots.has(holder)) || this.isIgnored(parent)) return;
    // Text inside an element that already stands for its number (an attribute field).
    const field = this.attributeFields.length ? parent.closest(this.attributeFields.map((f) => f.selector).join(',')) : null;
    if (field && this.spots.has(field)) return;
    const matches = findPhones(data, this.options.defaultCountry);
    if (holder) {
      if (matches[0]) this.addSpot(holder, matches[0].phone);
      return;
    }
    if (known && matches.length === 1 && matches[0]!.phone === known.phone && !data.slice(matches[0]!.end).trim()) {
      return this.render(text, known);
    }
    if (known) this.removeSpot(text);
    let piece = text;
    let offset = 0;
    for (const m of matches) {
      let anchor = piece;
      if (piece.data.slice(m.end - offset).trim()) {
        const tail = piece.splitText(m.end - offset);
        this.splits.push([piece, tail]);
        anchor = piece;
        piece = tail;
        offset = m.end;
      }
      this.addSpot(anchor, m.phone);
    }
  }

  private onMutations(records: MutationRecord[]): void {
    if (this.stopped) return;
    const start = performance.now();
    let removed = false;
    let changed = 0;
    for (const r of records) {
      if (r.type === 'characterData') {
        this.enqueue(r.target);
        changed++;
      } else if (r.type === 'attributes') {
        this.enqueue(r.target);
        changed++;
      } else {
        for (const n of r.addedNodes) {
          if (isBadge(n)) continue;
          this.enqueue(n);
          changed++;
        }
        if (r.removedNodes.length) removed = true;
      }
    }
    if (removed) this.sweep();
    if (!changed && !removed) return;
    this.slices.run();
    performance.measure('switchboard:mutations', { start, detail: { records: records.length, nodes: changed } });
  }

  /** Drops spots whose number left the page; puts back badges the page removed from a number still there. */
  private sweep(): void {
    for (const [anchor, spot] of this.spots) {
      if (!anchor.isConnected) this.removeSpot(anchor);
      else if (spot.badge && !spot.badge.isConnected) {
        spot.badge = null;
        if (++spot.evictions <= MAX_EVICTIONS) this.render(anchor, spot);
      }
    }
  }

  // ---- badges ---------------------------------------------------------------------------------

  private addSpot(anchor: Node, phone: string): void {
    const known = this.spots.get(anchor);
    if (known?.phone === phone) return this.render(anchor, known);
    if (known) this.removeSpot(anchor);
    const spot: Spot = { phone, badge: null, evictions: 0 };
    this.spots.set(anchor, spot);
    this.render(anchor, spot);
    this.phonesChanged();
  }

  private removeSpot(anchor: Node): void {
    const spot = this.spots.get(anchor);
    if (!spot) return;
    spot.badge?.remove();
    this.spots.delete(anchor);
    this.phonesChanged();
  }

  private render(anchor: Node, spot: Spot): void {
    const info = this.info.get(spot.phone);
    if (!this.signedIn || !info || !this.language) {
      spot.badge?.remove();
      spot.badge = null;
      return;
    }
    if (!spot.badge || spot.badge.dataset.phone !== spot.phone) {
      spot.badge?.remove();
      spot.badge = createBadge(anchor.ownerDocument ?? document, spot.phone, (p) => this.options.onOpen(p));
    }
    renderBadge(spot.badge, info, this.language);
    if (anchor.nextSibling !== spot.badge) (anchor as ChildNode).after(spot.badge);
  }

  private phonesChanged(): void {
    if (this.initialDone) this.report.soon();
  }
}

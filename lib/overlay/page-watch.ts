import { isElement } from './scan-rules';

/** What the watcher reports to the overlay. */
export interface PageWatchHooks {
  /** Attributes whose change may change a number (besides the standard ones). */
  attributes: string[];
  onMutations(records: MutationRecord[]): void;
  /** A root was attached: this node of it is to be scanned. */
  onRoot(node: Node): void;
  /** The user typed into (or changed) an input. */
  onInput(input: Element): void;
  /** A watched frame loaded a document. */
  onFrameLoad(): void;
}

/**
 * Watches a page for the overlay: a MutationObserver on the document, each open shadow root and each
 * same-origin iframe's document (each attached once), typing into inputs, and frame loads.
 */
export class PageWatcher {
  private readonly observers: MutationObserver[] = [];
  private readonly attached = new WeakSet<Node>();
  private readonly abort = new AbortController();

  constructor(private readonly hooks: PageWatchHooks) {}

  /** Watches and scans a document or shadow root (once). */
  attachRoot(root: Document | ShadowRoot): void {
    if (this.attached.has(root)) return;
    this.attached.add(root);
    const observer = new MutationObserver((records) => this.hooks.onMutations(records));
    observer.observe(root, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['href', 'value', 'type', 'contenteditable', ...this.hooks.attributes],
    });
    this.observers.push(observer);
    // Typing into a phone field: `input` is composed, so one listener per document sees shadow inputs too.
    const doc = root.nodeType === 9 ? (root as Document) : null;
    if (doc) {
      const onInput = (e: Event) => {
        const target = e.composedPath()[0];
        if (!target || !isElement(target as Node) || (target as Element).tagName !== 'INPUT') return;
        this.hooks.onInput(target as Element);
      };
      doc.addEventListener('input', onInput, { capture: true, signal: this.abort.signal });
      doc.addEventListener('change', onInput, { capture: true, signal: this.abort.signal });
    }
    this.hooks.onRoot(doc ? (doc.body ?? doc.documentElement) : root);
  }

  /** Watches and scans a same-origin frame's document, now and after each load (a cross-origin frame is left alone). */
  attachFrame(frame: HTMLIFrameElement): void {
    const attach = () => {
      let doc: Document | null = null;
      try {
        doc = frame.contentDocument; // null or throws for a cross-origin frame: not ours to read
      } catch {
        doc = null;
      }
      if (doc && (doc.body || doc.documentElement)) this.attachRoot(doc);
    };
    if (!this.attached.has(frame)) {
      this.attached.add(frame);
      frame.addEventListener(
        'load',
        () => {
          attach();
          this.hooks.onFrameLoad();
        },
        { signal: this.abort.signal },
      );
    }
    attach();
  }

  /** Stops every observer and listener. */
  stop(): void {
    this.abort.abort();
    for (const o of this.observers) o.disconnect();
  }
}

/** What the hostile page's traps caught, read back by the test. */
export interface Catch {
  /** Every way the page got hold of a ShadowRoot, or of a customer's name or preview. Empty is the only good answer. */
  leaks: string[];
  /** The ways by which the page did get hold of a badge's host (so the traps were in place and fired). */
  reached: string[];
}

/** Custom element names a page could guess the extension uses: the badge's old tag and its likely neighbours. */
export const GUESSED_TAGS = [
  'switchboard-badge',
  'switchboard-pill',
  'switchboard-tip',
  'switchboard-host',
  'switchboard-overlay',
  'switchboard-root',
  'sb-badge',
  'wa-badge',
  'whatsapp-badge',
  'crm-badge',
];

/**
 * A CRM page's own script, run before the extension's content script: every known way for a page
 * to reach a closed shadow root or the text in it, set up as traps that note what they catch.
 * Pre-defined custom elements (the guessed tags, autonomous and as customized built-ins) keep
 * their `ElementInternals`, whose `shadowRoot` is the element's shadow root even when closed;
 * `attachShadow`, the `shadowRoot` getters, `attachInternals`, `createElement` and `getRootNode`
 * are patched on the page's prototypes; a MutationObserver, capturing listeners on every event
 * type that comes from a click, a hover or focus (their targets, related targets and
 * `composedPath()`), focus, hit testing, carets, the selection, `window.find` and the document's
 * text are all searched. `window.__probe()` looks at everything the page holds right now.
 * Serialised into the page (`String(hostilePage)`): it may use nothing from outside itself. The
 * secrets to look for come in base64, so that the page's own source does not hold them.
 */
export function hostilePage(secretsInBase64: string[], guessedTags: string[]): void {
  const secrets = secretsInBase64.map((s) => new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0))));
  const leaks = new Set<string>();
  const reached = new Set<string>();
  const held = new Set<Node>();
  const internals: ElementInternals[] = [];
  const leaky = (s: unknown) => typeof s === 'string' && secrets.some((x) => s.includes(x));
  const isBadge = (n: Node) => n instanceof HTMLElement && n.hasAttribute('data-phone');
  // The originals, before the patches below: `look` must not call itself through them.
  const shadowRootOf = Object.getOwnPropertyDescriptor(Element.prototype, 'shadowRoot')!.get!;
  const rootOf = Node.prototype.getRootNode;
  let looking = false;

  const shadow = (how: string, r: unknown) => {
    if (r instanceof ShadowRoot) leaks.add(`${how}: a ShadowRoot of <${r.host.localName}>${leaky(r.innerHTML) ? ' with the name or preview' : ''}`);
  };
  /** Everything a page can learn from a node it holds. */
  const look = (how: string, n: unknown) => {
    if (looking || !n || typeof n !== 'object') return;
    looking = true;
    try {
      if (n instanceof ShadowRoot) return shadow(how, n);
      if (!(n instanceof Node)) return;
      held.add(n);
      if (isBadge(n)) reached.add(how);
      if (n instanceof Element) shadow(`${how} .shadowRoot`, shadowRootOf.call(n));
      shadow(`${how} .getRootNode()`, rootOf.call(n));
      const texts: Array<[string, unknown]> = [['textContent', n.textContent]];
      if (n instanceof Element) texts.push(['outerHTML', n.outerHTML]);
      if (n instanceof HTMLElement) texts.push(['innerText', n.innerText]);
      for (const [what, s] of texts) if (leaky(s)) leaks.add(`${how} .${what}: the name or preview`);
    } finally {
      looking = false;
    }
  };

  for (const tag of guessedTags) {
    customElements.define(
      tag,
      class extends HTMLElement {
        constructor() {
          super();
          internals.push(this.attachInternals());
          look(`<${tag}> constructor`, this);
        }
        connectedCallback() {
          look(`<${tag}> connected`, this);
        }
      },
    );
    // Customized built-ins have no ElementInternals, but the page would take any host it can get.
    for (const [base, Base] of [
      ['span', HTMLSpanElement],
      ['div', HTMLDivElement],
      ['button', HTMLButtonElement],
    ] as const) {
      customElements.define(
        `${tag}-${base}`,
        class extends (Base as typeof HTMLElement) {
          constructor() {
            super();
            look(`<${base} is=${tag}-${base}> constructor`, this);
          }
        },
        { extends: base },
      );
    }
  }

  const patch = (proto: object, key: string, how: string) => {
    const d = Object.getOwnPropertyDescriptor(proto, key)!;
    if (typeof d.value === 'function') {
      const original = d.value as (...args: unknown[]) => unknown;
      Object.defineProperty(proto, key, {
        ...d,
        value(this: unknown, ...args: unknown[]) {
          const r = original.apply(this, args);
          look(`${how} this`, this);
          look(how, r);
          if (r instanceof ElementInternals) internals.push(r);
          return r;
        },
      });
    } else {
      const get = d.get!;
      Object.defineProperty(proto, key, {
        ...d,
        get(this: unknown) {
          const r = get.call(this);
          look(`${how} this`, this);
          look(how, r);
          return r;
        },
      });
    }
  };
  patch(Element.prototype, 'attachShadow', 'Element.prototype.attachShadow');
  patch(Element.prototype, 'shadowRoot', 'Element.prototype.shadowRoot');
  patch(HTMLElement.prototype, 'attachInternals', 'HTMLElement.prototype.attachInternals');
  patch(ElementInternals.prototype, 'shadowRoot', 'ElementInternals.prototype.shadowRoot');
  patch(Document.prototype, 'createElement', 'Document.prototype.createElement');
  patch(Node.prototype, 'getRootNode', 'Node.prototype.getRootNode');

  new MutationObserver((records) => {
    for (const r of records) {
      look('MutationObserver attribute', r.type === 'attributes' ? r.target : null);
      for (const n of r.addedNodes) {
        look('MutationObserver', n);
        if (n instanceof Element) for (const d of n.querySelectorAll('*')) look('MutationObserver', d);
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });

  const events = [
    'click',
    'auxclick',
    'dblclick',
    'contextmenu',
    'mousedown',
    'mouseup',
    'mouseover',
    'mouseout',
    'mousemove',
    'mouseenter',
    'pointerdown',
    'pointerup',
    'pointerover',
    'pointerout',
    'pointermove',
    'pointerenter',
    'gotpointercapture',
    'focus',
    'blur',
    'focusin',
    'focusout',
    'keydown',
    'keyup',
    'keypress',
    'beforeinput',
    'input',
    'selectstart',
    'selectionchange',
    'copy',
    'toggle',
    'animationstart',
    'transitionrun',
    'transitionstart',
  ];
  for (const type of events) {
    for (const target of [window, document]) {
      target.addEventListener(
        type,
        (e) => {
          look(`${type} event target`, e.target);
          look(`${type} event relatedTarget`, (e as FocusEvent).relatedTarget);
          for (const n of e.composedPath()) look(`${type} event composedPath()`, n);
        },
        { capture: true },
      );
    }
  }

  (window as unknown as { __probe(): unknown }).__probe = () => {
    look('document.activeElement', document.activeElement);
    for (const el of document.querySelectorAll('*')) look('querySelectorAll', el);
    for (const i of internals) shadow('ElementInternals.shadowRoot', i.shadowRoot);
    for (const n of [...held]) look('a node held', n);
    for (const b of document.querySelectorAll('[data-phone]')) {
      const r = b.getBoundingClientRect();
      const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
      for (const e of document.elementsFromPoint(x, y)) look('elementsFromPoint', e);
      look('caretRangeFromPoint', document.caretRangeFromPoint(x, y)?.startContainer);
      look('caretPositionFromPoint', document.caretPositionFromPoint(x, y)?.offsetNode);
    }
    const texts: Array<[string, string]> = [
      ['document.body.innerText', document.body.innerText],
      ['document.body.textContent', document.body.textContent ?? ''],
      ['document.documentElement.outerHTML', document.documentElement.outerHTML],
    ];
    for (const [what, s] of texts) if (leaky(s)) leaks.add(`${what}: the name or preview`);
    // Last: the selection moves focus and the caret.
    const selection = getSelection()!;
    selection.selectAllChildren(document.body);
    if (leaky(selection.toString())) leaks.add('getSelection() of the whole body: the name or preview');
    for (const s of secrets) {
      selection.removeAllRanges();
      if ((window as unknown as { find(s: string): boolean }).find(s)) leaks.add(`window.find(${JSON.stringify(s)}) found it`);
      look('window.find selection', selection.anchorNode);
    }
    selection.removeAllRanges();
    return { leaks: [...leaks], reached: [...reached].sort() };
  };
}

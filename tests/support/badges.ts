import type { CDPSession, Page } from 'playwright-core';
import { BADGE_SELECTOR } from '../../lib/overlay/badge-element';

/** A node of Chrome DevTools Protocol's DOM tree (`DOM.getDocument` with `pierce`). */
interface CdpNode {
  nodeId: number;
  nodeType: number;
  nodeName: string;
  nodeValue: string;
  attributes?: string[];
  children?: CdpNode[];
  shadowRoots?: Array<CdpNode & { shadowRootType?: string }>;
  contentDocument?: CdpNode;
}

export interface BadgeInside {
  phone: string;
  /** The tooltip's text (name, last message, who types or views), as drawn. */
  tip: string;
  /** The accessible name of the badge's button. */
  label: string;
  /** Whether the badge's shadow root is closed (the page cannot reach it). */
  closed: boolean;
}

const attr = (n: CdpNode, name: string) => {
  const a = n.attributes ?? [];
  for (let i = 0; i < a.length; i += 2) if (a[i] === name) return a[i + 1]!;
  return null;
};
function* walk(n: CdpNode): Generator<CdpNode> {
  yield n;
  for (const c of [...(n.shadowRoots ?? []), ...(n.children ?? []), ...(n.contentDocument ? [n.contentDocument] : [])]) yield* walk(c);
}

/** The badges' hosts in every document and shadow root of the page, found by `BADGE_SELECTOR` (in page order). */
async function badgeHosts(cdp: CDPSession): Promise<CdpNode[]> {
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: CdpNode };
  const nodes = [...walk(root)];
  const hosts = new Set<number>();
  for (const scope of nodes.filter((n) => n.nodeType === 9 || n.nodeType === 11)) {
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: scope.nodeId, selector: BADGE_SELECTOR });
    for (const id of nodeIds) hosts.add(id);
  }
  return nodes.filter((n) => hosts.has(n.nodeId));
}

/**
 * What is inside each badge, read the way DevTools reads it: the badges' shadow roots are closed,
 * so no script on the page (nor `page.evaluate`) can see their text. Tests use this to check what
 * the agent sees.
 */
export async function badgesInside(page: Page): Promise<BadgeInside[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const found: BadgeInside[] = [];
    for (const n of await badgeHosts(cdp)) {
      const shadow = n.shadowRoots?.[0];
      const inside = shadow ? [...walk(shadow)] : [];
      const tip = inside.find((c) => attr(c, 'class') === 'tip');
      const pill = inside.find((c) => (attr(c, 'class') ?? '').split(' ').includes('pill'));
      found.push({
        phone: attr(n, 'data-phone') ?? '',
        tip: (tip && attr(tip, 'data-text')) ?? '',
        label: (pill && attr(pill, 'aria-label')) ?? '',
        closed: shadow?.shadowRootType === 'closed',
      });
    }
    return found;
  } finally {
    await cdp.detach();
  }
}

/** The tooltip of the first badge of a number. */
export async function badgeTip(page: Page, phone: string): Promise<string> {
  return (await badgesInside(page)).find((b) => b.phone === phone)?.tip ?? '';
}

/** The element names inside the first badge of a number (its shadow root). */
export async function badgeMarkup(page: Page, phone: string): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const badge = (await badgeHosts(cdp)).find((n) => attr(n, 'data-phone') === phone);
    return badge?.shadowRoots?.[0] ? [...walk(badge.shadowRoots[0])].filter((n) => n.nodeType === 1).map((n) => n.nodeName) : [];
  } finally {
    await cdp.detach();
  }
}

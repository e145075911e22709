import type { ScopeCase, ScopeParts } from './scenarios/scope';
import { round } from './stats';

/** One case from its windows: the median of each figure, messages and shown summed, each window's per-message figures kept. */
export function medianCase(ws: ScopeCase[]): ScopeCase {
  const first = ws[0]!;
  if (ws.length === 1) return first;
  const mid = (pick: (w: ScopeCase) => number | null | undefined) => {
    const xs = ws
      .map(pick)
      .filter((x): x is number => typeof x === 'number')
      .sort((a, b) => a - b);
    if (!xs.length) return null;
    const h = Math.floor(xs.length / 2);
    return round(xs.length % 2 ? xs[h]! : (xs[h - 1]! + xs[h]!) / 2, 3);
  };
  const parts = (pick: (w: ScopeCase) => ScopeParts | null): ScopeParts => ({
    worker: mid((w) => pick(w)?.worker)!,
    panel: mid((w) => pick(w)?.panel)!,
    crm: mid((w) => pick(w)?.crm)!,
    total: mid((w) => pick(w)?.total)!,
  });
  return {
    case: first.case,
    rate: first.rate,
    messages: ws.reduce((n, w) => n + w.messages, 0),
    windows: ws.length,
    seconds: mid((w) => w.seconds)!,
    shown: ws.reduce((n, w) => n + w.shown, 0),
    perSecond: parts((w) => w.perSecond),
    corePct: mid((w) => w.corePct)!,
    workerKept: ws.every((w) => w.workerKept !== false),
    perMessage: first.perMessage ? parts((w) => w.perMessage) : null,
    perWindow: first.perMessage ? ws.map((w) => w.perMessage!) : undefined,
    server: { corePct: mid((w) => w.server.corePct)!, perMessage: mid((w) => w.server.perMessage) },
    postgres: { corePct: mid((w) => w.postgres.corePct)!, perMessage: mid((w) => w.postgres.perMessage) },
  };
}

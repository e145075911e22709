import { round } from './stats';

/** CPU (ms) of the extension's parts over a window, per second or per message. */
export interface ScopeParts {
  worker: number;
  panel: number;
  crm: number;
  /** Worker + side panel + CRM page. */
  total: number;
}

export interface ScopeCase {
  /**
   * none in scope: customers' conversations assigned to colleagues; in scope: assigned to the
   * measured agent, more customers than rows on screen (each message brings its row onto the
   * screen and pushes one off); in scope, on screen: a few of the agent's customers, their rows
   * on screen throughout (a message moves its row to the top); idle: no messages.
   */
  case: 'none in scope' | 'in scope' | 'in scope, on screen' | 'idle';
  rate: number;
  /** Messages of all the case's windows. */
  messages: number;
  /** The case's measured windows (interleaved with the other cases'); the figures below are their medians. */
  windows?: number;
  /** One window's wall time (s, the median): the messages sent, then one second for the last ones to land. */
  seconds: number;
  /** Messages of the case's windows the side panel showed (the list shows each conversation's latest message). */
  shown: number;
  /** The extension's CPU, ms per second of wall time; `corePct`: its total as % of one core. */
  perSecond: ScopeParts;
  corePct: number;
  /** False when Chromium replaced the service worker's thread in the window: its worker figures miss a share then. */
  workerKept?: boolean;
  /** The extension's CPU, ms per message (none when idle). */
  perMessage: ScopeParts | null;
  /** Each window's `perMessage`, in the order measured (with more than one window). */
  perWindow?: ScopeParts[];
  /** The stack's server process (the API, Socket.IO and the local Realtime) and its embedded PostgreSQL: % of one core, ms per message. */
  server: { corePct: number; perMessage: number | null };
  postgres: { corePct: number; perMessage: number | null };
}

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

import { describe, expect, it } from 'vitest';
import { scopeExtensionRows } from '../../bench/report-scope';
import { medianCase, type ScopeCase } from '../../bench/scope-windows';

const parts = (worker: number, panel: number) => ({ worker, panel, crm: 0.1, total: Math.round((worker + panel + 0.1) * 1000) / 1000 });
const measured = (worker: number, panel: number, server: number, workerKept = true): ScopeCase => ({
  case: 'in scope',
  rate: 10,
  messages: 200,
  seconds: 21,
  shown: 200,
  perSecond: parts(worker * 10, panel * 10),
  corePct: (worker + panel) / 1,
  workerKept,
  perMessage: parts(worker, panel),
  server: { corePct: server * 2, perMessage: server },
  postgres: { corePct: 1, perMessage: 0.5 },
});

describe("the scope benchmark's rounds", () => {
  it('gives each case the median of its windows, sums what they sent and showed, and keeps every window', () => {
    const c = medianCase([measured(2.0, 4.0, 1.1), measured(1.6, 5.2, 0.9), measured(1.8, 3.5, 1.4)]);
    expect(c.windows).toBe(3);
    expect(c.messages).toBe(600);
    expect(c.shown).toBe(600);
    // The total is its own median (of each window's total), not the sum of the parts' medians.
    expect(c.perMessage).toEqual({ worker: 1.8, panel: 4.0, crm: 0.1, total: 6.1 });
    expect(c.server.perMessage).toBe(1.1);
    expect(c.perWindow?.map((w) => w.worker)).toEqual([2.0, 1.6, 1.8]);
  });

  it('takes the mean of the middle two of an even number of windows, and flags a replaced worker in any of them', () => {
    const c = medianCase([measured(2.0, 4.0, 1), measured(1.0, 3.0, 1), measured(3.0, 5.0, 1, false), measured(4.0, 6.0, 1)]);
    expect(c.perMessage?.worker).toBe(2.5);
    expect(c.perMessage?.panel).toBe(4.5);
    expect(c.workerKept).toBe(false);
  });

  it('leaves a single window as it was measured', () => {
    const w = measured(2.0, 4.0, 1);
    expect(medianCase([w])).toBe(w);
  });

  it('prints the range of the windows beside each per-message median', () => {
    const c = medianCase([measured(2.0, 4.0, 1.1), measured(1.6, 5.2, 0.9), measured(1.8, 3.5, 1.4)]);
    const [row] = scopeExtensionRows({ commit: 'abc', date: '2026-12-07T00:00:00Z', agents: 1000, customers: 100, crmNumbers: 100, cases: [c] });
    expect(row!['worker ms/msg']).toBe('1.8 (1.6–2)');
    expect(row!['side panel ms/msg']).toBe('4 (3.5–5.2)');
    expect(row!.windows).toBe(3);
  });
});

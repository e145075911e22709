import type { SidePanelLayout } from './scenarios/sidepanel';
import type { OrgLayout } from './scenarios/webhook';

/** Agents × messages per second × how agents are grouped: a load case of the latency and side panel scenarios. */
export type LoadCase<L extends string = SidePanelLayout> = [agents: number, rate: number, layout: L];

/** The webhook scenario's full run: 10, 100 and 1,000 agents at 10 and 100 messages/s, in organisations of 10 and as one organisation. */
export const WEBHOOK_CASES: Array<LoadCase<OrgLayout>> = [
  [10, 10, 'orgs of 10'],
  [10, 100, 'orgs of 10'],
  [100, 10, 'orgs of 10'],
  [100, 100, 'orgs of 10'],
  [1000, 10, 'orgs of 10'],
  [1000, 100, 'orgs of 10'],
  [100, 10, 'one org'],
  [100, 100, 'one org'],
  [1000, 10, 'one org'],
  [1000, 100, 'one org'],
];

/** The side panel's full run: the same, then one organisation of 1,000 whose messages are in the measured agent's scope alone (issue 34). */
export const SIDE_PANEL_CASES: LoadCase[] = [...WEBHOOK_CASES, [1000, 10, 'one org, mine'], [1000, 100, 'one org, mine']];

const LAYOUTS: Record<string, SidePanelLayout> = { orgs: 'orgs of 10', one: 'one org', mine: 'one org, mine' };

/**
 * `--cases 1000x10:one,100x100:orgs,1000x100:mine` (agents x msg/s : layout) as load cases, or
 * `full` without it. `mine` is the side panel's alone (the webhook scenario has no browser agent).
 */
export function loadCases(spec: string | undefined, full: LoadCase[]): LoadCase[] {
  if (!spec) return full;
  return spec.split(',').map((one) => {
    const m = /^(\d+)x(\d+):(one|orgs|mine)$/.exec(one.trim());
    if (!m) throw new Error(`--cases: "${one}" is not <agents>x<msg/s>:<one|orgs|mine>, e.g. 1000x10:one`);
    return [Number(m[1]), Number(m[2]), LAYOUTS[m[3]!]!];
  });
}

/** The cases the webhook scenario can run (every layout but the side panel's `one org, mine`). */
export const webhookCases = (cases: LoadCase[]) => cases.filter((c): c is LoadCase<OrgLayout> => c[2] !== 'one org, mine');

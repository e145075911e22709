/**
 * How long to wait before reconnect attempt `attempt` (0 for the first): `baseMs · 2^attempt`,
 * capped at `maxMs`, then jittered to between half and all of it, so that thousands of agents
 * cut off together (a server restart) do not come back in one storm.
 * @example setTimeout(reconnect, backoff(attempts++))
 */
export function backoff(attempt: number, opts: { baseMs?: number; maxMs?: number; random?: () => number } = {}): number {
  const ceiling = Math.min(opts.maxMs ?? 30_000, (opts.baseMs ?? 1000) * 2 ** attempt);
  return ceiling / 2 + (opts.random ?? Math.random)() * (ceiling / 2);
}

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeReport } from './report';

/**
 * Results files kept beside bench-results/latest.json that the report shows with it:
 * - the ingest scenario's statement profile, when one was taken apart
 *   (`BENCH_PROFILE=<dir> npm run bench -- --only ingest --out bench-results/ingest-profiled.json`):
 *   profiling costs CPU, so those numbers never replace the plain run's;
 * - the delivery scope scenario run on the design before issue 34's per-agent scope
 *   (`npm run bench -- --only scope --out bench-results/scope-before.json`), shown beside the latest run's;
 * - the extension scenario run on the extension before issue 34's first-paint work
 *   (`BENCH_REUSE_EXTENSION=1 npm run bench -- --only extension --out bench-results/extension-before.json`
 *   with that build in .output), shown beside the latest run's.
 */
const SIDECARS = [
  { file: 'bench-results/ingest-profiled.json', as: 'ingestProfiled', scenario: 'ingest' },
  { file: 'bench-results/scope-before.json', as: 'scopeBefore', scenario: 'scope' },
  { file: 'bench-results/extension-before.json', as: 'extensionBefore', scenario: 'extension' },
] as const;

/** docs/benchmarks.md and its chart from `r` and the sidecar files that exist. */
export function reportWithSidecars(r: Record<string, unknown>): void {
  const extra = Object.fromEntries(
    SIDECARS.filter((s) => existsSync(s.file)).map((s) => [s.as, (JSON.parse(readFileSync(s.file, 'utf8')) as Record<string, unknown>)[s.scenario]]),
  );
  writeReport({ ...r, ...extra } as never);
}

const META = new Set(['machine', 'date', 'quick', 'ranOn']);
type RanOn = Record<string, { date: string; node: string }>;

/**
 * Writes `results` to `out`: a run with `--only` updates its scenarios and keeps the others' latest
 * results, noting which run (its Node and date) each scenario's results come from. Returns what it wrote.
 */
export function saveResults(out: string, only: boolean, results: Record<string, unknown>): Record<string, unknown> {
  const previous = only && existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
  mkdirSync(dirname(out), { recursive: true });
  const ranOn: RanOn = { ...((previous.ranOn as RanOn | undefined) ?? {}) };
  const before = previous as { date?: string; machine?: { node?: string } };
  for (const k of Object.keys(previous))
    if (!META.has(k) && !ranOn[k] && before.date) ranOn[k] = { date: before.date, node: before.machine?.node ?? 'unknown' };
  for (const k of Object.keys(results)) if (!META.has(k)) ranOn[k] = { date: String(results.date), node: process.version };
  const merged = { ...previous, ...results, ranOn };
  writeFileSync(out, JSON.stringify(merged, null, 2) + '\n');
  return merged;
}

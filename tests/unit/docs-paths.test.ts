import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const TOP = ['server', 'lib', 'components', 'entrypoints', 'tests', 'supabase', 'bench', 'docs', 'public', '.ci'];

/**
 * The repository paths a document names in code spans: `server/crm/write-back/`,
 * `lib/contract/api.ts`… (a path with a wildcard, an ellipsis or a placeholder is a pattern, not a
 * path; `:line` and `#anchor` suffixes are dropped).
 */
function pathsIn(text: string): string[] {
  const spans = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.trim());
  return spans
    .flatMap((s) => s.split(/[\s,]+/))
    .map((p) => p.replace(/^\(|\)$/g, '').replace(/[:#].*$/, ''))
    .filter((p) => TOP.some((t) => p.startsWith(`${t}/`)) && !/[*…<>{}$]|\.\.\./.test(p));
}

describe('Docs that match the code', () => {
  it.each(DOCS)('every repository path %s names exists', (doc) => {
    const missing = pathsIn(readFileSync(join(ROOT, doc), 'utf8')).filter((p) => !existsSync(join(ROOT, p)));
    expect(missing).toEqual([]);
  });

  it('finds the paths it checks', () => {
    expect(pathsIn('see `server/crm/write-back/` and `lib/contract/api.ts:12` but not `server/dev/*.ts`')).toEqual([
      'server/crm/write-back/',
      'lib/contract/api.ts',
    ]);
  });
});

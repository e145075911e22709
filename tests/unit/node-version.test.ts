import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * One Node story (issue #36): `engines` says what the dependencies need, the `node` development
 * dependency pins the Node that every `npm run` script uses (npm puts its binary first on PATH),
 * and `.node-version` and the production image name that Node's major.
 */
const root = resolve(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};
const range = pkg.engines.node;
const pinned = pkg.devDependencies.node!;
const namedMajor = semver.coerce(read('.node-version').trim())?.major;

describe('the Node the project runs on', () => {
  it('the suite runs on a Node that engines accepts', () => {
    expect(
      semver.satisfies(process.version, range),
      `Node ${process.version} is older than engines.node "${range}": run the tests through npm (npm test), whose scripts use the pinned Node ${pinned}`,
    ).toBe(true);
  });

  it('the pinned Node is an exact version that engines accepts, of the major .node-version names', () => {
    expect(semver.valid(pinned)).toBe(pinned);
    expect(semver.satisfies(pinned, range)).toBe(true);
    expect(semver.major(pinned)).toBe(namedMajor);
  });

  it('the production image runs the major .node-version names', () => {
    const images = [...read('docs/deploy.md').matchAll(/^FROM node:(\d+)-/gm)].map((m) => Number(m[1]));
    expect(images.length).toBeGreaterThan(0);
    expect(new Set(images)).toEqual(new Set([namedMajor]));
  });

  it('the server bundle is built for the oldest Node that engines accepts', () => {
    const oldest = semver.minVersion(range)!;
    expect(pkg.scripts['build:server']).toContain(`--target=node${oldest.major}.${oldest.minor} `);
  });
});

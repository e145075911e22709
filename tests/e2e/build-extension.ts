import { spawnSync } from 'node:child_process';

/**
 * `wxt build` as `npm start` builds it: the production bundle, whose overlay also runs on the
 * local stack's demo CRM page (`WXT_DEMO_SITE`). NODE_ENV is set explicitly: Vitest runs with
 * NODE_ENV=test, which Vite would pass on, building React's development bundle (larger, and
 * several times slower).
 */
export function buildExtension(...args: string[]): void {
  const build = spawnSync('npx', ['wxt', 'build', ...args], { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production', WXT_DEMO_SITE: 'on' } });
  if (build.status !== 0) throw new Error(`wxt build ${args.join(' ')} failed:\n${build.stdout}\n${build.stderr}`);
}

/** Builds the extension once before the end-to-end suite (the real bundle, as users load it). */
export default function setup(): void {
  buildExtension();
}

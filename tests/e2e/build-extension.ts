import { spawnSync } from 'node:child_process';

/** Builds the extension once before the end-to-end suite (the real bundle, as users load it). */
export default function setup(): void {
  const build = spawnSync('npx', ['wxt', 'build'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`wxt build failed:\n${build.stdout}\n${build.stderr}`);
}

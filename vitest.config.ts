import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

const alias = { '@': resolve(import.meta.dirname) };
/**
 * WXT's build-time target for the code under test (WxtVitest's own `define` does not reach it here).
 * Vitest turns `import.meta.env` values into strings, so the extension decides by feature detection,
 * never by these flags.
 */
const targetGlobals = (browser: 'chrome' | 'firefox') => ({
  'import.meta.env.BROWSER': JSON.stringify(browser),
  'import.meta.env.MANIFEST_VERSION': browser === 'firefox' ? '2' : '3',
});

export default defineConfig({
  resolve: { alias },
  test: {
    // Both cores of the machine the suite is meant for (Vitest's default leaves one idle: the whole
    // suite ran in one worker): the unit and integration files two at a time; every stack takes
    // free ports and its own folders. The browser tests run one at a time (their project says so),
    // after all the others (Vitest runs a project of one file at a time as a group of its own).
    maxWorkers: 2,
    projects: [
      {
        // WXT's plugin gives unit tests an in-memory fake of the extension APIs (storage, runtime…).
        plugins: [WxtVitest()],
        resolve: { alias },
        define: targetGlobals('chrome'),
        test: { name: 'unit', setupFiles: ['fake-indexeddb/auto'], include: ['tests/unit/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
      {
        // The same unit tests built for Firefox (import.meta.env.FIREFOX, MV2).
        plugins: [WxtVitest({ browser: 'firefox' })],
        resolve: { alias },
        define: targetGlobals('firefox'),
        test: { name: 'unit-firefox', setupFiles: ['fake-indexeddb/auto'], include: ['tests/unit/**/*.test.{ts,tsx}'], environment: 'happy-dom' },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          // The adversarial suite (tests/security/) runs with the integration tests; its browser
          // tests (*.e2e.test.ts) with the end-to-end ones.
          include: ['tests/integration/**/*.test.ts', 'tests/security/**/*.test.ts'],
          exclude: ['tests/security/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts', 'tests/security/**/*.e2e.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/build-extension.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

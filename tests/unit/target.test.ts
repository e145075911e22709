import { describe, expect, it } from 'vitest';

/** This suite runs twice (projects `unit` and `unit-firefox`), each built for its browser's manifest. */
describe('build target', () => {
  it('pairs the browser with its manifest version', () => {
    expect(['chrome', 'firefox']).toContain(import.meta.env.BROWSER);
    expect(String(import.meta.env.MANIFEST_VERSION)).toBe(import.meta.env.BROWSER === 'firefox' ? '2' : '3');
  });
});

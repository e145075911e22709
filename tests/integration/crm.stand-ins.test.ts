import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The CRM stand-ins cannot drift into a private dialect: the Pipedrive stand-in's answers are typed
 * with the official client's models (generated from Pipedrive's OpenAPI description), so an answer
 * whose shape the description does not allow fails this type check. (The HubSpot stand-in is held
 * to the official client's paths and bodies by the integration tests, which go through it.)
 */
describe('CRM stand-ins', () => {
  it('type-check against the vendors’ generated models', async () => {
    const root = join(import.meta.dirname, '../..');
    const run = promisify(execFile)(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'server/dev/crm-stand-in/tsconfig.json')],
      { cwd: root },
    ).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    expect(await run).toBe('');
  }, 120_000);
});

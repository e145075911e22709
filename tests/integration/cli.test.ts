import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SyncResponse } from '../../lib/contract/api';
import { api, signIn } from '../support/stack';
import { useTestStack } from '../support/fixture';

const run = promisify(execFile);

/** `npm run admin` and `npm run simulate`, run as a user would, against a running local stack. */
describe('Command-line tools', () => {
  const ctx = useTestStack();
  const cli = (script: string, args: string[]) =>
    run(process.execPath, ['--import', 'tsx', `server/cli/${script}.ts`, ...args], { env: { ...process.env, SWITCHBOARD_HOME: ctx.stack.home } });

  it('creates an organisation, a channel and an agent who can sign in and receives a simulated message', async () => {
    const org = JSON.parse((await cli('admin', ['create-org', '--name', 'Acme'])).stdout) as { id: string };
    await cli('admin', ['create-channel', '--org', org.id, '--name', 'Sales', '--whatsapp', '+14155550000']);
    await cli('admin', ['create-agent', '--org', org.id, '--email', 'carol@acme.test', '--password', 'pa55word!', '--name', 'Carol']);
    const token = await signIn(ctx.stack, 'carol@acme.test', 'pa55word!');

    const sim = await cli('simulate', ['--from', '+447700900123', '--to', '+14155550000', '--body', 'Hello from the CLI', '--profile-name', 'Dev']);
    expect(sim.stdout).toMatch(/^200 OK/);
    const sync = await api<SyncResponse>(ctx.stack, token, '/api/sync');
    expect(sync.body.conversations).toHaveLength(1);
    expect(sync.body.conversations[0]).toMatchObject({ lastMessagePreview: 'Hello from the CLI', contact: { phone: '+447700900123', profileName: 'Dev' } });
  });

  it('lists unrouted messages for the operator, and routes them when their number becomes a channel', async () => {
    await cli('simulate', ['--from', '+447700900124', '--to', '+18005550123', '--body', 'nobody owns this number']);
    const org = JSON.parse((await cli('admin', ['create-org', '--name', 'Latecomer'])).stdout) as { id: string };
    await cli('simulate', ['--from', '+447700900125', '--to', '+18005550124', '--body', 'for the latecomer', '--organisation', org.id]);
    const { stdout } = await cli('admin', ['list-unrouted']);
    expect(stdout).toContain('whatsapp:+18005550123');
    expect(stdout).toContain('nobody owns this number');
    expect(stdout).toMatch(new RegExp(`for the latecomer.*came to the webhook URL of organisation ${org.id}`));

    const created = JSON.parse((await cli('admin', ['create-channel', '--org', org.id, '--name', 'Late', '--whatsapp', '+18005550123'])).stdout) as {
      routed: number;
    };
    expect(created.routed).toBe(1);
    await cli('admin', ['create-agent', '--org', org.id, '--email', 'late@acme.test', '--password', 'pa55word!', '--name', 'Late']);
    const sync = await api<SyncResponse>(ctx.stack, await signIn(ctx.stack, 'late@acme.test', 'pa55word!'), '/api/sync');
    expect(sync.body.conversations.map((c) => [c.contact.phone, c.lastMessagePreview])).toEqual([['+447700900124', 'nobody owns this number']]);
    expect((await cli('admin', ['list-unrouted'])).stdout).not.toContain('nobody owns this number');
  });

  it('fails with a clear message on bad input', async () => {
    await expect(cli('admin', ['create-channel', '--name', 'x', '--whatsapp', '+14155550001'])).rejects.toMatchObject({
      stderr: expect.stringContaining('--org is required'),
    });
    await expect(cli('admin', ['frobnicate'])).rejects.toMatchObject({ stderr: expect.stringContaining('unknown command') });
  });
});

import { describe, expect, it } from 'vitest';
import { expiringLinks, expiringTokens, signerFor } from '../../server/auth/signing';
import { createMessageMediaSigner } from '../../server/media/routes';
import { createCursorSigner } from '../../server/inbox/cursor';

const SECRET = 'a deployment secret every instance shares';
const agent = { id: '00000000-0000-4000-8000-000000000001', organisationId: '00000000-0000-4000-8000-0000000000aa' };

describe('One signing module: purpose-bound keys, expiry, constant-time checks', () => {
  it('a signature verifies only its own text, for its own purpose and secret', () => {
    const links = signerFor(SECRET, 'message media link v2');
    const sig = links.sign('message m file 0\n123');
    expect(links.verify('message m file 0\n123', sig)).toBe(true);
    expect(links.verify('message m file 1\n123', sig)).toBe(false);
    expect(signerFor(SECRET, 'sync cursor v1').verify('message m file 0\n123', sig)).toBe(false);
    expect(signerFor('another deployment', 'message media link v2').verify('message m file 0\n123', sig)).toBe(false);
    // Tampered, truncated or empty signatures are refused (and compared without throwing).
    expect(links.verify('message m file 0\n123', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(links.verify('message m file 0\n123', sig.slice(0, 10))).toBe(false);
    expect(links.verify('message m file 0\n123', '')).toBe(false);
  });

  it('a link works until its expiry, for its subject only; a changed expiry breaks the signature', () => {
    const links = expiringLinks(signerFor(SECRET, 'upload link v2'));
    const now = 1_800_000_000_000;
    const q = new URLSearchParams(links.query('upload u1', now + 60_000));
    const [expires, signature] = [q.get('expires'), q.get('signature')];
    expect(links.check('upload u1', expires, signature, now)).toBe('ok');
    expect(links.check('upload u1', expires, signature, now + 60_000)).toBe('expired');
    expect(links.check('upload u2', expires, signature, now)).toBe('invalid');
    expect(links.check('upload u1', String(now + 3_600_000), signature, now)).toBe('invalid');
    expect(links.check('upload u1', '1e20', signature, now)).toBe('invalid');
    expect(links.check('upload u1', undefined, signature, now)).toBe('invalid');
  });

  it('a token opens with its fields until it expires; a forged field or another purpose’s token does not', () => {
    const tickets = expiringTokens(signerFor(SECRET, 'upload ticket v2'));
    const now = 1_800_000_000_000;
    const token = tickets.issue(['agent-1', 'org-1'], now + 1000);
    expect(tickets.open(token, 2, now)).toEqual({ fields: ['agent-1', 'org-1'], expires: now + 1000 });
    expect(tickets.open(token, 2, now + 1000)).toBeNull();
    expect(tickets.open(token.replace('agent-1', 'agent-2'), 2, now)).toBeNull();
    expect(tickets.open(token, 3, now)).toBeNull();
    expect(expiringTokens(signerFor(SECRET, 'upload link v2')).open(token, 2, now)).toBeNull();
    expect(() => tickets.issue(['a.b'], now)).toThrow(/dot/);
  });

  it('purpose confusion: a media link’s signature is no sync cursor, and a cursor is bound to its agent', () => {
    const media = createMessageMediaSigner(SECRET);
    const cursors = createCursorSigner(SECRET);
    const path = media.path('m1', 0, 1_800_000_000_000);
    const signature = new URL(path, 'https://x').searchParams.get('signature')!;
    // The same bytes presented as a cursor for any snapshot: refused.
    expect(cursors.open(agent, `1:1:.${signature}`)).toBeNull();
    const cursor = cursors.sign(agent, '100:120:');
    expect(cursors.open(agent, cursor)).toBe('100:120:');
    expect(cursors.open({ ...agent, organisationId: '00000000-0000-4000-8000-0000000000bb' }, cursor)).toBeNull();
    expect(cursors.open(agent, cursor.replace('100:120:', '1:1:'))).toBeNull();
    // And a cursor's signature opens no file.
    const [, cursorSignature] = cursor.split('.');
    expect(media.check('m1', 0, '1800000000000', cursorSignature, 0)).toBe('invalid');
  });
});

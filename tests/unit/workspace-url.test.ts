import { describe, expect, it } from 'vitest';
import { isOlder, parseWorkspaceUrl } from '@/lib/settings';

describe('the workspace URL an agent types', () => {
  it('takes a host alone, or a full https URL, without a trailing slash', () => {
    expect(parseWorkspaceUrl(' acme.switchboard.example ')).toEqual({ url: 'https://acme.switchboard.example' });
    expect(parseWorkspaceUrl('https://switchboard.acme.com/team/')).toEqual({ url: 'https://switchboard.acme.com/team' });
    expect(parseWorkspaceUrl('http://127.0.0.1:3000')).toEqual({ url: 'http://127.0.0.1:3000' });
    expect(parseWorkspaceUrl('http://localhost:3000/')).toEqual({ url: 'http://localhost:3000' });
  });
  it('refuses plain http beyond this computer, credentials, queries and nonsense, saying why (a code the page words)', () => {
    expect(parseWorkspaceUrl('http://acme.example.com')).toEqual({ error: 'notHttps' });
    expect(parseWorkspaceUrl('https://a:b@acme.example.com')).toEqual({ error: 'credentials' });
    expect(parseWorkspaceUrl('https://acme.example.com/?x=1')).toEqual({ error: 'queryOrHash' });
    expect(parseWorkspaceUrl('ftp://acme.example.com')).toEqual({ error: 'notHttps' });
    expect(parseWorkspaceUrl('   ')).toEqual({ error: 'empty' });
    expect(parseWorkspaceUrl('https://exa mple.com')).toEqual({ error: 'notUrl' });
  });
  it('compares versions number by number', () => {
    expect(isOlder('0.1.0', '0.2.0')).toBe(true);
    expect(isOlder('0.10.0', '0.9.9')).toBe(false);
    expect(isOlder('1.0', '1.0.0')).toBe(false);
    expect(isOlder('1.2.3', '1.2.3')).toBe(false);
    expect(isOlder('1.2.3', '1.2.3.1')).toBe(true);
  });
});

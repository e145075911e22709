import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseEnv, requestPolicy } from '../../server/config';
import { clientAddress } from '../../server/http/client-address';

/** A request as Node hands it over: who connected, and what it claims in X-Forwarded-For. */
const request = (from: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: from },
    connection: { remoteAddress: from },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  }) as unknown as IncomingMessage;
const addressWith = (trustProxy?: string) => clientAddress(requestPolicy(parseEnv(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy })).trustProxy);

/** Per-address limits mean nothing if a client can name its own address. */
describe('Client addresses behind proxies (TRUST_PROXY)', () => {
  it('by default a claimed X-Forwarded-For is not believed', () => {
    expect(addressWith()(request('198.51.100.7', '203.0.113.9'))).toBe('198.51.100.7');
    expect(addressWith('false')(request('198.51.100.7', '203.0.113.9'))).toBe('198.51.100.7');
  });

  it('believes it only from the configured proxies', () => {
    const behindBalancer = addressWith('10.0.0.0/8');
    expect(behindBalancer(request('10.0.0.5', '203.0.113.9'))).toBe('203.0.113.9');
    expect(behindBalancer(request('192.168.1.1', '203.0.113.9'))).toBe('192.168.1.1'); // not our proxy
  });

  it('with a hop count, takes the address the last trusted hop saw, not what the client wrote first', () => {
    expect(addressWith('1')(request('10.0.0.5', 'spoofed, 203.0.113.9'))).toBe('203.0.113.9');
    expect(addressWith('true')(request('10.0.0.5', '203.0.113.1, 203.0.113.9'))).toBe('203.0.113.1');
  });
});

import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** Resolves a host name to every address it has (injectable: tests have no public DNS). */
export type ResolveHost = (host: string) => Promise<string[]>;

export const resolveWithDns: ResolveHost = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export class NotPublicUrlError extends Error {}

/**
 * Whether an address is a public unicast one: not loopback, private, link-local (cloud metadata
 * lives at 169.254.169.254), unique-local, carrier-grade NAT, multicast, reserved or unspecified.
 * IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === 'unicast';
}

/**
 * Checks a URL that Twilio will fetch for the customer (an agent's file): https only, default
 * port, no credentials, and a host whose every address is public. Throws `NotPublicUrlError`
 * saying why. Twilio fetches it, not us, but nothing internal should ever be handed out.
 */
export async function assertPublicHttpsUrl(raw: string, resolve: ResolveHost): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NotPublicUrlError('mediaUrl is not a URL');
  }
  if (url.protocol !== 'https:') throw new NotPublicUrlError('mediaUrl must be an https URL');
  if (url.username || url.password) throw new NotPublicUrlError('mediaUrl must not carry credentials');
  if (url.port && url.port !== '443') throw new NotPublicUrlError('mediaUrl must use the default https port');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (ipaddr.isValid(host)) addresses = [host];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new NotPublicUrlError(`mediaUrl's host ${host} could not be resolved`);
    }
  }
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) {
    throw new NotPublicUrlError(`mediaUrl's host ${host} is not a public address (loopback, private, link-local and metadata addresses are refused)`);
  }
  return url;
}

import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Query parameters that carry a secret or a signature somewhere in this server's URLs: upload
 * tickets, signed media links (Twilio's and CRMs'), CRM OAuth codes, states and start links,
 * tokens. Their values never reach a log line; docs/security.md lists where each comes from.
 */
export const SECRET_PARAMETERS = [
  'signature',
  'ticket',
  'code',
  'state',
  'attempt',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'apikey',
  'client_secret',
] as const;

const secret = new Set<string>(SECRET_PARAMETERS);

/** A URL (or path with a query) as it may be logged: secret parameters' values replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        /* kept as sent */
      }
      return secret.has(decoded.toLowerCase()) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${redacted}`;
}

/** Fastify's request serializer, with the URL's secrets redacted. */
const req = (r: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
  method: r.method,
  url: typeof r.url === 'string' ? redactUrl(r.url) : r.url,
  host: r.host,
  remoteAddress: r.ip,
  remotePort: r.socket?.remotePort,
});

/** The root logger; modules take a child with their own `name`. Requests are logged without their secrets. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  return pino({ level, base: { service: 'switchboard' }, serializers: { req } }, destination);
}
export type { Logger };

/**
 * Which browser origins may call Switchboard's HTTP and WebSocket endpoints. The browser clients
 * are the extension's pages and service worker; a web page (a CRM, or anything else an agent has
 * open) is not a client. Requests without an Origin header come from non-browser clients (Twilio,
 * Node, scripts) and are judged by their credentials alone.
 */
export interface OriginPolicy {
  /** Exact extension origins (`chrome-extension://<id>`); empty: any extension origin. */
  extensionOrigins: string[];
  /** Web origins allowed besides the extension (e.g. an admin console); exact matches. */
  webOrigins: string[];
}

const EXTENSION = /^(chrome-extension|moz-extension|safari-web-extension):\/\/[a-z0-9-]+$/i;

/** Whether a request with this Origin header may proceed. */
export function originAllowed(origin: string | undefined, policy: OriginPolicy): boolean {
  if (origin === undefined) return true;
  if (EXTENSION.test(origin)) return policy.extensionOrigins.length === 0 || policy.extensionOrigins.includes(origin);
  return policy.webOrigins.includes(origin);
}

/** Whether an Origin header names this server itself (its Host), e.g. a page it served. */
export function sameHost(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Parses a comma-separated list of origins from the environment. */
export function parseOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim().replace(/\/$/, ''))
    .filter(Boolean);
}

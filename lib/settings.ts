import type { CountryCode } from 'libphonenumber-js';
import type { WorkspaceUrlProblem } from './messaging/failures';

/** Where the extension connects. Development builds default to the local stack of `npm start`. */
export interface Settings {
  serverUrl: string;
  supabaseUrl: string;
  supabaseAnonKey: string;
}

export const DEFAULT_SETTINGS: Settings = {
  serverUrl: import.meta.env.WXT_SERVER_URL ?? 'http://127.0.0.1:3000',
  supabaseUrl: import.meta.env.WXT_SUPABASE_URL ?? 'http://127.0.0.1:54321',
  supabaseAnonKey: import.meta.env.WXT_SUPABASE_ANON_KEY ?? '',
};

/** A settings object that can connect: a server and Supabase with its anon key. */
export const isConfigured = (s: Settings) => !!(s.serverUrl && s.supabaseUrl && s.supabaseAnonKey);

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A workspace URL as the agent typed it (`acme.switchboard.example`, with or without https://),
 * or why it cannot be one: https only (plain http for this computer alone), no user or password,
 * no query. The result has no trailing slash. The problem is a code: pages say it in the agent's
 * language (options `errors.workspaceUrl.*`), the background in English (`WORKSPACE_URL_PROBLEMS`).
 */
export function parseWorkspaceUrl(input: string): { url: string } | { error: WorkspaceUrlProblem } {
  const text = input.trim();
  if (!text) return { error: 'empty' };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return { error: 'notUrl' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return { error: 'notHttps' };
  if (url.username || url.password) return { error: 'credentials' };
  if (url.search || url.hash) return { error: 'queryOrHash' };
  return { url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/** True when `version` (dotted numbers) is older than `minimum`. */
export function isOlder(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return false;
}

/** How the CRM overlay reads numbers written without a country code. */
export interface CrmSettings {
  /** ISO 3166 country used for national formats such as `(415) 555-0134` or `030 123456`. */
  defaultCountry: CountryCode;
}

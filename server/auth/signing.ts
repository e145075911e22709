import { createHmac, hkdfSync } from 'node:crypto';
import { secretEquals } from './compare';

/**
 * The one way this server signs what it hands out and later takes back: upload tickets, the
 * media links Twilio and CRMs open, sync cursors. HMAC-SHA256 under a key of its own per purpose
 * (HKDF from a deployment secret every instance shares, the purpose as its label, so a signature
 * made for one purpose never passes for another), checked in constant time. What a signature
 * covers is the caller's text; what expires carries its expiry inside the signed text.
 */
export interface Signer {
  /** The base64url signature of `text` for this purpose. */
  sign(text: string): string;
  /** Whether `signature` is this purpose's signature of `text` (constant time). */
  verify(text: string, signature: string): boolean;
}

/** A signer for one purpose (`label`, e.g. `'upload ticket v2'`). */
export function signerFor(secret: string | Buffer, label: string): Signer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'switchboard', label, 32));
  const sign = (text: string) => createHmac('sha256', key).update(text).digest('base64url');
  return { sign, verify: (text, signature) => secretEquals(signature, sign(text)) };
}

export type LinkCheck = 'ok' | 'expired' | 'invalid';

/**
 * Links that work until a time: `expires=<ms>&signature=<over subject and expiry>`. The subject
 * names what the link opens (an upload, a message's file); a link for one subject opens no other.
 */
export function expiringLinks(signer: Signer) {
  const text = (subject: string, expires: string) => `${subject}\n${expires}`;
  return {
    /** The query string of a link to `subject` that works until `expires` (ms since the epoch). */
    query(subject: string, expires: number): string {
      const at = String(Math.floor(expires));
      return `expires=${at}&signature=${signer.sign(text(subject, at))}`;
    },
    /** Whether a link's `expires` and `signature` open `subject` now. */
    check(subject: string, expires: unknown, signature: unknown, now = Date.now()): LinkCheck {
      if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,15}$/.test(expires)) return 'invalid';
      if (!signer.verify(text(subject, expires), signature)) return 'invalid';
      return Number(expires) <= now ? 'expired' : 'ok';
    },
  };
}
export type ExpiringLinks = ReturnType<typeof expiringLinks>;

/**
 * Tokens that carry their own fields until a time: `<field>.<field>….<expires ms>.<signature>`.
 * Fields must not contain a dot (ids, UUIDs). `open` answers the fields only for a token this
 * purpose signed that has not expired.
 */
export function expiringTokens(signer: Signer) {
  return {
    issue(fields: string[], expires: number): string {
      if (fields.some((f) => f.includes('.'))) throw new Error('a signed token field must not contain a dot');
      const body = [...fields, String(Math.floor(expires))].join('.');
      return `${body}.${signer.sign(body)}`;
    },
    /** The fields and expiry of a token this purpose signed that has not expired; else null. */
    open(token: string, count: number, now = Date.now()): { fields: string[]; expires: number } | null {
      const parts = token.split('.');
      if (parts.length !== count + 2) return null;
      const signature = parts.pop()!;
      const expires = parts[count]!;
      if (!/^\d{1,15}$/.test(expires) || !signer.verify(parts.join('.'), signature)) return null;
      return Number(expires) > now ? { fields: parts.slice(0, count), expires: Number(expires) } : null;
    },
  };
}

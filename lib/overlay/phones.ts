import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** A phone number found in a piece of text: its E.164 form and where it is. */
export interface PhoneMatch {
  phone: string;
  start: number;
  end: number;
}

/**
 * Candidates: an optional `+` or `00`, then digits with the separators people write between
 * them (spaces, dots, dashes, slashes, brackets), at least 7 digits in all. libphonenumber-js
 * decides which candidates are numbers; this only keeps it from looking at every word.
 */
const CANDIDATE = /(?<![\w+./-])(?:\+|00)?\(?\d(?:[\s./()-]{0,3}\d){6,16}(?![\w/:]|[.-]\d)/g;
const HAS_DIGITS = /\d(?:\D{0,4}\d){6}/;
const IP_ADDRESS = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const DATE = /^\d{1,4}[.\-/]\d{1,2}[.\-/]\d{1,4}(?:\s|$)/;

/** True if the text may hold a phone number (a cheap test before the real one). */
export const mayHoldPhone = (text: string) => HAS_DIGITS.test(text);

/**
 * The phone number a candidate string stands for, in E.164, or null. National formats use the
 * default country. A bare run of digits (no `+`, no separators) must be a valid number, not just a
 * possible one, so invoice and order numbers are not taken for phones.
 */
export function parsePhone(candidate: string, defaultCountry: CountryCode): string | null {
  const text = candidate.trim().replace(/^00(?=[1-9])/, '+');
  if (IP_ADDRESS.test(text) || DATE.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text, defaultCountry);
  if (!parsed || !parsed.isPossible()) return null;
  const bare = !text.startsWith('+') && /^\d+$/.test(text);
  if (bare && !parsed.isValid()) return null;
  return parsed.number;
}

/** Every phone number written in `text`. */
export function findPhones(text: string, defaultCountry: CountryCode): PhoneMatch[] {
  if (!mayHoldPhone(text)) return [];
  const found: PhoneMatch[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    let raw = m[0];
    let start = m.index;
    // A bracket that opens the match but never closes belongs to the text around it.
    if (raw.startsWith('(') && !raw.includes(')')) {
      raw = raw.slice(1);
      start += 1;
    }
    raw = raw.replace(/[\s.\-/(]+$/, '');
    const phone = parsePhone(raw, defaultCountry);
    if (phone) found.push({ phone, start, end: start + raw.length });
  }
  return found;
}

/** The phone number of a `tel:`, `https://wa.me/…` or `api.whatsapp.com/send?phone=` link. */
export function phoneFromHref(href: string, defaultCountry: CountryCode): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol === 'tel:') return parsePhone(decodeURIComponent(url.pathname).split(';')[0]!, defaultCountry);
  if (url.hostname === 'wa.me') {
    const digits = url.pathname.slice(1).split('/')[0] ?? '';
    return /^\d{7,15}$/.test(digits) ? parsePhone(`+${digits}`, defaultCountry) : null;
  }
  if (url.hostname === 'api.whatsapp.com' || url.hostname === 'web.whatsapp.com') {
    const digits = (url.searchParams.get('phone') ?? '').replace(/\D/g, '');
    return digits.length >= 7 ? parsePhone(`+${digits}`, defaultCountry) : null;
  }
  return null;
}

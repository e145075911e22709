/** The overlay's scan rules: what is never scanned, which elements carry a number, reading that number, and undoing the text splits. */
import type { CountryCode } from 'libphonenumber-js';
import { BADGE_SELECTOR } from './badge-element';
import { parsePhone, phoneFromHref } from './phones';

/** Never scanned, with everything inside: code, form internals, editors, and our own badges. */
export const SKIPPED = [
  'script',
  'style',
  'noscript',
  'textarea',
  'template',
  'select',
  'option',
  'code',
  'pre',
  'head',
  BADGE_SELECTOR,
  '[contenteditable=""]',
  '[contenteditable="true"]',
];
/** Elements that carry a number by themselves (besides a site's own attribute fields). */
export const CARRIERS = 'a[href], input';
const PHONE_INPUT = /phone|mobile|\btel\b|whatsapp/i;

export const isElement = (n: Node): n is Element => n.nodeType === 1;
export const isText = (n: Node): n is Text => n.nodeType === 3;

/** The number a tel: or WhatsApp link points to, or null. */
export function linkPhone(el: Element, defaultCountry: CountryCode): string | null {
  const href = el.getAttribute('href');
  return href && /^(tel:|https?:\/\/(wa\.me|api\.whatsapp\.com|web\.whatsapp\.com)\/)/i.test(href) ? phoneFromHref(href, defaultCountry) : null;
}

/** The number in a phone field (by its type, autocomplete, name or id), or null. */
export function inputPhone(input: HTMLInputElement, defaultCountry: CountryCode): string | null {
  const phoneField = input.type === 'tel' || /\btel\b/.test(input.autocomplete) || PHONE_INPUT.test(`${input.name} ${input.id}`);
  return phoneField && input.value ? parsePhone(input.value, defaultCountry) : null;
}

/** Joins back the text nodes split after a number (latest split first), where the page left them as they were; empties the list. */
export function joinSplits(splits: Array<[Text, Text]>): void {
  for (const [head, tail] of splits.reverse()) {
    if (head.nextSibling === tail && head.isConnected) {
      head.appendData(tail.data);
      tail.remove();
    }
  }
  splits.length = 0;
}

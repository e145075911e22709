import ICAL from 'ical.js';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** A contact a customer shared on WhatsApp, as the thread shows it. */
export interface ContactCard {
  name: string;
  organisation: string | null;
  /** Numbers as written on the card, with the E.164 form when it is a valid number. */
  phones: Array<{ label: string; e164: string | null }>;
}

/**
 * Reads a vCard (WhatsApp shares contacts as vCard 3.0, one per file; a `waid` parameter on a TEL
 * is the number's WhatsApp id). Null when the text is not a vCard.
 */
export function parseContactCard(text: string): ContactCard | null {
  let card: ICAL.Component;
  try {
    const parsed = ICAL.parse(text);
    const first = Array.isArray(parsed[0]) ? parsed[0] : parsed;
    card = new ICAL.Component(first as never);
  } catch {
    return null;
  }
  if (card.name !== 'vcard') return null;
  const nameValue = card.getFirstPropertyValue('fn');
  const orgValue = card.getFirstPropertyValue('org');
  const phones = card.getAllProperties('tel').map((p) => {
    const label = String(p.getFirstValue() ?? '').trim();
    const waid = p.getParameter('waid');
    const candidate = typeof waid === 'string' && /^\d{7,15}$/.test(waid) ? `+${waid}` : label;
    const parsed = parsePhoneNumberFromString(candidate);
    return { label: label || candidate, e164: parsed?.isPossible() ? parsed.number : null };
  });
  const org = Array.isArray(orgValue) ? orgValue.filter(Boolean).join(', ') : orgValue ? String(orgValue) : null;
  return { name: nameValue ? String(nameValue) : (phones[0]?.label ?? 'Contact'), organisation: org || null, phones };
}

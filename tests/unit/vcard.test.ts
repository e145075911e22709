import { describe, expect, it } from 'vitest';
import { parseContactCard } from '@/lib/inbox/vcard';

describe('contact cards (vCard)', () => {
  it('reads the name, the organisation and each number, preferring WhatsApp’s waid', () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Okafor;Ada;;;',
      'FN:Ada Okafor',
      'ORG:Okafor Logistics',
      'TEL;type=CELL;type=VOICE;waid=447700900321:+44 7700 900321',
      'TEL;type=WORK:020 7946 0000',
      'END:VCARD',
    ].join('\r\n');
    expect(parseContactCard(text)).toEqual({
      name: 'Ada Okafor',
      organisation: 'Okafor Logistics',
      phones: [
        { label: '+44 7700 900321', e164: '+447700900321' },
        { label: '020 7946 0000', e164: null },
      ],
    });
  });

  it('is null for text that is not a vCard', () => {
    expect(parseContactCard('hello')).toBeNull();
    expect(parseContactCard('BEGIN:VCALENDAR\r\nEND:VCALENDAR')).toBeNull();
  });
});

/** The demo organisation's customers: they appear on the demo CRM page and write in on WhatsApp. */
export const DEMO_CONTACTS = [
  { name: 'Maria Garcia', phone: '+14155550134', shown: '+1 (415) 555-0134', message: 'Hi! Is my order #4411 shipped yet?' },
  { name: 'Oliver Smith', phone: '+442079460958', shown: '+44 20 7946 0958', message: 'Can we move the demo to Thursday?' },
  { name: 'Jonas Weber', phone: '+4930123456', shown: '0049 30 123456', message: 'Danke! The invoice arrived.' },
  { name: 'Aiko Tanaka', phone: '+14155552671', shown: '415.555.2671', message: 'Do you ship to Osaka?' },
] as const;

/** On the CRM page but has never written: the overlay offers to start a conversation. */
export const DEMO_QUIET_CONTACT = { name: 'Camille Martin', phone: '+33142685300', shown: '+33 1 42 68 53 00' } as const;

export const DEMO_ORGANISATION = 'Demo Co';
export const DEMO_WHATSAPP_NUMBER = 'whatsapp:+14155238886';
export const DEMO_AGENTS = [
  { email: 'alice@demo.test', displayName: 'Alice' },
  { email: 'bob@demo.test', displayName: 'Bob' },
] as const;

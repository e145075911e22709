import { defineSite } from './types';

/** The demo CRM page that `npm start` serves, so the overlay works out of the box. */
export default defineSite({
  id: 'demo',
  name: 'Switchboard demo CRM',
  matches: ['http://127.0.0.1/demo/*', 'http://localhost/demo/*'],
});

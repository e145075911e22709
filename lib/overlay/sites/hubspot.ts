import { everyPageOf, HUBSPOT_APP_ORIGINS } from '../../contract/crm-places';
import { defineSite } from './types';

/**
 * HubSpot: contact records show the phone as a property (text with a `tel:` link and an
 * editable input); lists are tables of rows rendered by React, replaced on every filter.
 */
export default defineSite({
  id: 'hubspot',
  name: 'HubSpot',
  // Every data centre's app (the list write-back uses too).
  matches: HUBSPOT_APP_ORIGINS.map(everyPageOf),
  phoneAttributes: [{ selector: '[data-selenium-test="property-input-phone"][data-value]', attribute: 'data-value' }],
  // The email composer and notes editor: text the agent is writing, not a contact's number.
  ignore: ['[data-selenium-test="rich-text-editor"]', '.public-DraftEditor-content'],
});

import { defineSite } from './types';

/**
 * HubSpot: contact records show the phone as a property (text with a `tel:` link and an
 * editable input); lists are tables of rows rendered by React, replaced on every filter.
 */
export default defineSite({
  id: 'hubspot',
  name: 'HubSpot',
  matches: ['https://app.hubspot.com/*', 'https://app-eu1.hubspot.com/*', 'https://app-na2.hubspot.com/*'],
  phoneAttributes: [{ selector: '[data-selenium-test="property-input-phone"][data-value]', attribute: 'data-value' }],
  // The email composer and notes editor: text the agent is writing, not a contact's number.
  ignore: ['[data-selenium-test="rich-text-editor"]', '.public-DraftEditor-content'],
});

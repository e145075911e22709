import { SALESFORCE_APP_PATTERNS } from '../../contract/crm-places';
import { defineSite } from './types';

/**
 * Salesforce Lightning: fields are Lightning web components (custom elements with their own
 * shadow roots); `lightning-formatted-phone` renders the number as a `tel:` link inside.
 */
export default defineSite({
  id: 'salesforce',
  name: 'Salesforce Lightning',
  matches: [...SALESFORCE_APP_PATTERNS],
  phoneAttributes: [{ selector: 'lightning-formatted-phone[value]', attribute: 'value' }],
  ignore: ['lightning-input-rich-text', '.slds-rich-text-editor'],
});

import { defineSite } from './types';

/**
 * Zoho CRM: record details and some list views are rendered inside same-origin iframes; phone
 * fields are links in the details view.
 */
export default defineSite({
  id: 'zoho',
  name: 'Zoho CRM',
  matches: ['https://crm.zoho.com/*', 'https://crm.zoho.eu/*', 'https://crm.zoho.in/*', 'https://crm.zoho.com.au/*'],
  ignore: ['.ze_area', '[contenteditable="true"]'],
});

import { everyPageOf, ZOHO_DATA_CENTRE_IDS, ZOHO_DATA_CENTRES } from '../../contract/crm-places';
import { defineSite } from './types';

/**
 * Zoho CRM: record details and some list views are rendered inside same-origin iframes; phone
 * fields are links in the details view.
 */
export default defineSite({
  id: 'zoho',
  name: 'Zoho CRM',
  // Every data centre's web app (the list write-back connects accounts in).
  matches: ZOHO_DATA_CENTRE_IDS.map((dc) => everyPageOf(ZOHO_DATA_CENTRES[dc].web)),
  ignore: ['.ze_area', '[contenteditable="true"]'],
});

import { PIPEDRIVE_APP_PATTERNS } from '../../contract/crm-places';
import { defineSite } from './types';

/**
 * Pipedrive: a single-page app; person pages show phones as links in the details sidebar and
 * list views load rows lazily while scrolling.
 */
export default defineSite({
  id: 'pipedrive',
  name: 'Pipedrive',
  matches: [...PIPEDRIVE_APP_PATTERNS],
  ignore: ['[data-testid="editor"]', '.ProseMirror'],
});

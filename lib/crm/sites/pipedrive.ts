import { defineSite } from './types';

/**
 * Pipedrive: a single-page app; person pages show phones as links in the details sidebar and
 * list views load rows lazily while scrolling.
 */
export default defineSite({
  id: 'pipedrive',
  name: 'Pipedrive',
  matches: ['https://*.pipedrive.com/*'],
  ignore: ['[data-testid="editor"]', '.ProseMirror'],
});

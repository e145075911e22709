import { conversationForPhone, openConversation } from '../conversations';
import { disableSite, enableSite } from '../site-access';
import { done, type Current, type Handlers } from './types';

/** The overlay on web pages: the sites it runs on, and a badge's click. */
export function overlayHandlers(
  current: Current<'api'>,
  pages: { disableOrigin(origin: string): void },
  openSidePanel: (windowId?: number) => Promise<unknown>,
) {
  return {
    'sites:enable': async ({ origin }) => done(await enableSite(origin)),
    'sites:disable': async ({ origin }) => {
      await disableSite(origin);
      pages.disableOrigin(origin);
      return null;
    },
    'overlay:open': async ({ phone }, sender) => {
      // Called while the badge click's user gesture lasts: open the panel before anything awaits.
      const opening = openSidePanel(sender.tab?.windowId);
      const { api } = await current();
      const conversationId = await conversationForPhone(api, phone);
      await Promise.all([openConversation(api, conversationId), opening]);
      return { conversationId };
    },
  } satisfies Partial<Handlers>;
}

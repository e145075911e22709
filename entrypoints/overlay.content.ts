import { connectToBackground } from '@/lib/overlay/connection';
import { Overlay } from '@/lib/overlay/overlay';
import { BUILT_IN_SITES, siteFor } from '@/lib/overlay/sites';
import { sendMessage } from '@/lib/messaging/protocol';
import { overlaySettingsItem } from '@/lib/storage/items';

/**
 * Badges next to phone numbers on CRM pages. Declared for the built-in CRMs; on any other site
 * the agent enables, the background registers this same script at run time.
 */
export default defineContentScript({
  matches: BUILT_IN_SITES.flatMap((s) => s.matches),
  runAt: 'document_idle',
  async main(ctx) {
    // Injected again into a tab that already runs it (a site re-enabled): one overlay per page.
    const marker = window as unknown as { __switchboardOverlay?: boolean };
    if (marker.__switchboardOverlay) return;
    marker.__switchboardOverlay = true;

    const { defaultCountry } = await overlaySettingsItem.getValue();
    let overlay: Overlay | null = null;
    const shutDown = () => {
      overlay?.stop();
      overlay = null;
      link.close();
      marker.__switchboardOverlay = false;
    };
    const link = connectToBackground({
      onNotice: (notice) => {
        if (notice.type === 'disable') shutDown();
        else overlay?.setBadges(notice.signedIn, notice.badges, notice.complete);
      },
      // The extension was reloaded, updated or disabled: leave the page as we found it.
      onGone: () => shutDown(),
    });
    overlay = new Overlay({
      site: siteFor(new URL(location.href)),
      defaultCountry,
      onPhones: (phones) => link.watch(phones),
      onOpen: (phone) => void sendMessage('overlay:open', { phone }),
    });
    overlay.start();
    ctx.onInvalidated(shutDown);
  },
});

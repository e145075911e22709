import { createRoot } from 'react-dom/client';
import { FIRST_RENDER_ITEMS, SidePanelApp } from '@/components/SidePanelApp';
import { Localized } from '@/components/Localized';
import '@/components/styles.css';
import { installDebugApi } from '@/lib/debug';
import { followInbox } from '@/lib/hooks/useInbox';
import { preloadItems } from '@/lib/hooks/useStorageItem';
import { languageItem } from '@/lib/storage/items';

installDebugApi(window);
// The worker's answer (the cached inbox) travels while the page reads what its first render needs.
followInbox();
const render = () =>
  createRoot(document.getElementById('root')!).render(
    <Localized>
      <SidePanelApp />
    </Localized>,
  );
// What the first render reads (the language for `Localized`, then the panel's items), one storage read per area.
void preloadItems([languageItem, ...FIRST_RENDER_ITEMS]).finally(render);

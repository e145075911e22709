import { createRoot } from 'react-dom/client';
import { SidePanelApp } from '@/components/SidePanelApp';
import { Localized } from '@/components/Localized';
import '@/components/styles.css';
import { installDebugApi } from '@/lib/debug';

installDebugApi(window);

createRoot(document.getElementById('root')!).render(
  <Localized>
    <SidePanelApp />
  </Localized>,
);

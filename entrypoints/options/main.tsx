import { createRoot } from 'react-dom/client';
import { OptionsApp } from '@/components/OptionsApp';
import { Localized } from '@/components/Localized';
import '@/components/styles.css';

createRoot(document.getElementById('root')!).render(
  <Localized>
    <OptionsApp />
  </Localized>,
);

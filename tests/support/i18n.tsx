import type { ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { createI18n, type Language } from '@/lib/i18n';

/**
 * A `render`/`renderHook` wrapper giving components the strings of one language, as the side
 * panel's `Localized` does once the agent's choice is read (tests of `<html dir>` use `Localized`).
 */
export function inLanguage(language: Language) {
  const i18n = createI18n(language);
  return function InLanguage({ children }: { children: ReactNode }) {
    return <I18nextProvider i18n={i18n}>{children}</I18nextProvider>;
  };
}

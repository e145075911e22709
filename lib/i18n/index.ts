import { createInstance, type i18n } from 'i18next';
import { direction, type Language } from './languages';
import { NAMESPACES, resources } from './resources';

export * from './languages';
export type { Namespace } from './resources';

/**
 * One i18next instance for one page or the service worker, ready at once (every language is
 * bundled: a few kilobytes each, no fetch). Plurals follow the language's CLDR rules through
 * `Intl.PluralRules` (Arabic has six forms: `_zero`, `_one`, `_two`, `_few`, `_many`, `_other`).
 * Interpolated values are not HTML-escaped here: React and `textContent` render them as text.
 */
export function createI18n(language: Language): i18n {
  const instance = createInstance({
    lng: language,
    fallbackLng: 'en',
    supportedLngs: Object.keys(resources),
    resources,
    ns: NAMESPACES,
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  void instance.init();
  return instance;
}

/** Sets `<html lang dir>` so the page's text, layout and form controls follow the language. */
export function applyToDocument(doc: Document, language: Language): void {
  doc.documentElement.lang = language;
  doc.documentElement.dir = direction(language);
}

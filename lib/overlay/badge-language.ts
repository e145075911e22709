import type { i18n as I18n, TFunction } from 'i18next';
import { createI18n, direction, pickLanguage, type Language } from '../i18n';
import { formats, type Formats } from '../i18n/format';
import { languageItem } from '../storage/items';

/** What a badge needs to speak the agent's language: its strings, numbers, list of names and direction. */
export interface BadgeLanguage {
  language: Language;
  dir: 'ltr' | 'rtl';
  t: TFunction<'overlay'>;
  formats: Formats;
}

/** The badge language for one language (one i18next instance per page, switched in place). */
export function badgeLanguage(instance: I18n, language: Language): BadgeLanguage {
  return { language, dir: direction(language), t: instance.getFixedT(language, 'overlay'), formats: formats(language) };
}

/**
 * Follows the agent's language on a CRM page (their choice in the options, else the browser's):
 * calls `onChange` once it is read, and again whenever the options change it. The content script is
 * not React: one i18next instance serves every badge of the page. Returns the function that stops.
 */
export function followBadgeLanguage(onChange: (language: BadgeLanguage) => void): () => void {
  let instance: I18n | null = null;
  let stopped = false;
  const apply = (preference: Parameters<typeof pickLanguage>[0]) => {
    if (stopped) return;
    const language = pickLanguage(preference, navigator.languages);
    if (!instance) instance = createI18n(language);
    else void instance.changeLanguage(language);
    onChange(badgeLanguage(instance, language));
  };
  // Fails only once the extension is gone, when no badge is wanted any more.
  languageItem.getValue().then(apply, () => {});
  const unwatch = languageItem.watch(apply);
  return () => {
    stopped = true;
    try {
      unwatch();
    } catch {
      // The extension was reloaded or removed: its storage listener went with it, and calling
      // into `chrome.storage` now throws ("Extension context invalidated").
    }
  };
}

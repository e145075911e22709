/**
 * The languages Switchboard ships, each complete (tests/unit/i18n.test.ts fails on a missing
 * string), and how the agent's language is chosen: their choice in the options, else the browser's
 * first language we have (a regional variant falls back to its language: es-MX → es, pt-PT → pt-BR),
 * else English.
 */
export const LANGUAGES = ['en', 'es', 'pt-BR', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];
export type LanguagePreference = Language | 'auto';

/** Each language named in itself, as a language picker shows it. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  es: 'Español',
  'pt-BR': 'Português (Brasil)',
  ar: 'العربية',
};

const RIGHT_TO_LEFT = new Set<Language>(['ar']);

export const isLanguage = (value: unknown): value is Language => (LANGUAGES as readonly unknown[]).includes(value);

/** `rtl` for Arabic, `ltr` for the others: the value for `<html dir>`. */
export const direction = (language: Language): 'ltr' | 'rtl' => (RIGHT_TO_LEFT.has(language) ? 'rtl' : 'ltr');

/**
 * @example pickLanguage('auto', ['pt-PT', 'en']) // 'pt-BR'
 * @example pickLanguage('es', ['en-US']) // 'es'
 */
export function pickLanguage(preference: LanguagePreference | undefined, browser: readonly string[]): Language {
  if (preference && preference !== 'auto' && isLanguage(preference)) return preference;
  for (const tag of browser) {
    const exact = LANGUAGES.find((l) => l.toLowerCase() === tag.toLowerCase());
    if (exact) return exact;
    const base = tag.split('-')[0]!.toLowerCase();
    const sameBase = LANGUAGES.find((l) => l.split('-')[0]!.toLowerCase() === base);
    if (sameBase) return sameBase;
  }
  return 'en';
}

import type { i18n as I18n } from 'i18next';
import { useLayoutEffect, useRef, type ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { applyToDocument, createI18n, pickLanguage } from '@/lib/i18n';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { languageItem } from '@/lib/storage/items';

/**
 * A page in the agent's language: the choice in the options (or the browser's language), applied
 * to the strings, `<html lang dir>` (Arabic lays out right to left) and every `Intl` format. It
 * follows a change made in the options at once. Nothing renders until the choice is read, so the
 * page never flashes English first.
 */
export function Localized({ children }: { children: ReactNode }) {
  const preference = useStorageItem(languageItem);
  const language = pickLanguage(preference, navigator.languages);
  const instance = useRef<I18n | null>(null);
  if (preference !== undefined && !instance.current) instance.current = createI18n(language);
  useLayoutEffect(() => {
    if (preference === undefined || !instance.current) return;
    if (instance.current.language !== language) void instance.current.changeLanguage(language);
    applyToDocument(document, language);
  }, [preference, language]);
  if (!instance.current) return null;
  return <I18nextProvider i18n={instance.current}>{children}</I18nextProvider>;
}

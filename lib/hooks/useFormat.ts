import { useTranslation } from 'react-i18next';
import { dates, formats, type Dates, type Formats } from '../i18n/format';

/** Dates and numbers in the page's current language (lib/i18n/format.ts). */
export function useFormat(): Dates & { formats: Formats; language: string } {
  const { i18n } = useTranslation();
  const language = i18n.language;
  return { ...dates(language), formats: formats(language), language };
}

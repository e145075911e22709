import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { LANGUAGE_NAMES, LANGUAGES, pickLanguage, type LanguagePreference } from '@/lib/i18n';
import { languageItem } from '@/lib/storage/items';

/**
 * The agent's language: the browser's by default, or one of the shipped ones. Each is named in
 * itself (someone who cannot read the current language still finds theirs); the side panel, the
 * badges on CRM pages and notifications follow at once.
 */
export function LanguagePicker() {
  const { t } = useTranslation('options');
  const id = useId();
  const preference = useStorageItem(languageItem);
  if (preference === undefined) return null;
  const browserLanguage = LANGUAGE_NAMES[pickLanguage('auto', navigator.languages)];
  return (
    <div className="field">
      <label htmlFor={id}>{t('language.label')}</label>
      <select id={id} value={preference} onChange={(e) => void languageItem.setValue(e.target.value as LanguagePreference)}>
        <option value="auto">{t('language.auto', { language: browserLanguage })}</option>
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </div>
  );
}

import { useTranslation } from 'react-i18next';
import { formats } from '@/lib/i18n/format';

/** Animated dots with who is typing, e.g. "Bob is typing". */
export function TypingDots({ names }: { names: string[] }) {
  const { t, i18n } = useTranslation('inbox');
  if (names.length === 0) return null;
  const label = t('typing', { count: names.length, names: formats(i18n.language).list.format(names) });
  return (
    <span className="typing" data-typing={names.join(',')} aria-label={label} title={label}>
      <span className="dots" aria-hidden="true">
        <i />
        <i />
        <i />
      </span>
      <span className="typing-label">{label}…</span>
    </span>
  );
}

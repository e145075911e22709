import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReplyContent } from '@/lib/api/client';
import { templateParts, type TemplateView } from '@/lib/contract/reply-window';
import { useFormat } from '@/lib/hooks/useFormat';

/** Outside the window (or asked for after a failure): pick an approved template, fill its variables, send. */
export function TemplatePicker(props: {
  closesAt: string | null;
  windowOpen?: boolean;
  load: () => Promise<TemplateView[]>;
  onSend: (content: ReplyContent) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation('thread');
  const { shortTime } = useFormat();
  const [templates, setTemplates] = useState<TemplateView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sid, setSid] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  useEffect(() => {
    props.load().then(
      (list) => {
        setTemplates(list);
        if (list[0]) setSid(list[0].sid);
      },
      (err: Error) => setError(err.message),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const chosen = templates?.find((x) => x.sid === sid);
  const keys = chosen ? Object.keys(chosen.variables) : [];
  const ready = chosen && keys.every((k) => values[k]?.trim());
  // What a variable means, as the organisation labelled it; else its place ("Value 1"), never {{1}}.
  const labelOf = (k: string) => chosen?.labels[k] ?? t('template.value', { n: keys.indexOf(k) + 1 });
  return (
    <form
      className="composer templates"
      aria-label={t('template.label')}
      onSubmit={(e) => {
        e.preventDefault();
        if (!chosen || !ready) return;
        props.onSend({ template: { sid: chosen.sid, variables: Object.fromEntries(keys.map((k) => [k, values[k]!.trim()])) } });
        setValues({});
      }}
    >
      <p className="window-note closed" role="note">
        {props.windowOpen ? t('template.refused') : props.closesAt ? t('template.closed', { time: shortTime(props.closesAt) }) : t('template.notYet')}
      </p>
      {props.onCancel && (
        <button type="button" className="link" onClick={props.onCancel}>
          {t('template.writeInstead')}
        </button>
      )}
      {/* The server's or the network's own words, as they are. */}
      {error && <p role="alert">{t('template.unavailable', { error })}</p>}
      {templates && templates.length === 0 && <p>{t('template.none')}</p>}
      {templates && templates.length > 0 && (
        <>
          <label>
            {t('template.template')}
            <select value={sid} onChange={(e) => setSid(e.target.value)}>
              {templates.map((x) => (
                // The template's language as Twilio names it (its code: en, pt_BR).
                <option key={x.sid} value={x.sid}>
                  {t('template.option', { name: x.name, language: x.language })}
                </option>
              ))}
            </select>
          </label>
          {keys.map((k) => (
            <label key={`${sid}:${k}`}>
              {labelOf(k)}
              <input dir="auto" value={values[k] ?? ''} placeholder={chosen!.variables[k]} onChange={(e) => setValues({ ...values, [k]: e.target.value })} />
            </label>
          ))}
          {chosen && (
            <p className="template-preview" dir="auto">
              {templateParts(chosen.body).map((part, i) =>
                typeof part === 'string' ? (
                  part
                ) : values[part.variable] ? (
                  values[part.variable]
                ) : (
                  <span key={i} className="template-slot">
                    {labelOf(part.variable)}
                  </span>
                ),
              )}
            </p>
          )}
          <button type="submit" disabled={!ready}>
            {t('template.send')}
          </button>
        </>
      )}
    </form>
  );
}

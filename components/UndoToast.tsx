import { Undo2, X } from 'lucide-react';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * What was just done, with its Undo (a polite status: read out, never stealing focus; the button
 * is in the tab order and answers Ctrl+Z). Held on screen while pointed at or focused.
 */
export const UndoToast = memo(function UndoToast(props: {
  text: string | null;
  failed: string | null;
  onUndo: () => void;
  onHold: (held: boolean) => void;
  onDismissFailure: () => void;
}) {
  const { t } = useTranslation('inbox');
  return (
    <div
      className="toast"
      role="status"
      onPointerEnter={() => props.onHold(true)}
      onPointerLeave={() => props.onHold(false)}
      onFocus={() => props.onHold(true)}
      onBlur={() => props.onHold(false)}
    >
      {props.text && (
        <>
          <span className="toast-text">{props.text}</span>
          <button type="button" onClick={props.onUndo} aria-keyshortcuts="Control+Z">
            <Undo2 aria-hidden="true" /> {t('undo.undo')}
          </button>
        </>
      )}
      {!props.text && props.failed && (
        <>
          <span className="toast-text failed">{props.failed}</span>
          <button type="button" onClick={props.onDismissFailure} aria-label={t('dismiss', { ns: 'common' })}>
            <X aria-hidden="true" />
          </button>
        </>
      )}
    </div>
  );
});

/** A photo of the thread at full size, in a modal dialog. */
import { Download, X } from 'lucide-react';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The photo in a modal `<dialog>`: the rest of the panel is inert while it is open, Tab stays on
 * its controls, Escape or Close closes it and focus goes back to what opened it. The photo fits the
 * panel (down to 320 px), captioned with its text alternative, with a link to save it.
 */
export function ImageViewer(props: { src: string; alt: string; fileName: string; onClose: () => void }) {
  const { t } = useTranslation('thread');
  const dialog = useRef<HTMLDialogElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const d = dialog.current!;
    d.showModal();
    close.current?.focus(); // showModal focuses the first control (Download); Close is the safe one
    return () => {
      if (d.open) d.close();
      opener?.focus();
    };
  }, []);
  // A modal dialog lets Tab leave for the browser's own controls after its last one: keep it here.
  const trap = (e: KeyboardEvent<HTMLDialogElement>) => {
    if (e.key !== 'Tab') return;
    const items = [...e.currentTarget.querySelectorAll<HTMLElement>('a[href], button')];
    const [first, last] = [items[0], items.at(-1)];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <dialog ref={dialog} className="image-viewer" aria-labelledby="image-viewer-caption" onClose={props.onClose} onKeyDown={trap}>
      <figure>
        <img src={props.src} alt={props.alt} />
        <figcaption id="image-viewer-caption">{props.alt}</figcaption>
      </figure>
      <div className="viewer-actions">
        <a href={props.src} download={props.fileName}>
          <Download aria-hidden="true" /> {t('viewer.download')}
        </a>
        <button ref={close} type="button" onClick={() => dialog.current?.close()}>
          <X aria-hidden="true" /> {t('close', { ns: 'common' })}
        </button>
      </div>
    </dialog>
  );
}

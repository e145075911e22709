/** A message's files: shown by kind (photo, player, contact card, download) and shared by a link. */
import { Link2, Paperclip, UserRound } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LoadedMedia, MediaLink } from '@/lib/contract/api';
import { INLINE_IMAGE_TYPES, type MediaItem } from '@/lib/contract/models';
import { parseContactCard, type ContactCard } from '@/lib/inbox/vcard';
import { useFileWords } from '@/lib/hooks/useFileWords';
import { useFormat } from '@/lib/hooks/useFormat';
import { downloadName } from './format';
import { ImageViewer } from './ImageViewer';

/** A media file as a blob: URL of its stated type (only for players and images; never a document). */
async function blobUrl(dataUrl: string, type: string): Promise<string> {
  const blob = await (await fetch(dataUrl)).blob();
  return URL.createObjectURL(new Blob([blob], { type }));
}

/**
 * A file in a message. Customers' files need Twilio's credentials and agents' uploads the
 * server's, so the server fetches them for the agent. Raster images show inline, voice notes and
 * audio get a player, video plays inline, a contact card shows who it is (with a button to open
 * that number); every other file (a PDF, but also an SVG or an HTML page posing as one) is saved
 * as a download, never opened in the extension's origin.
 */
export function Media({
  media,
  load,
  onOpenPhone,
  fromCustomer,
}: {
  media: MediaItem;
  load: () => Promise<LoadedMedia>;
  onOpenPhone: (phone: string) => void;
  fromCustomer: boolean;
}) {
  const { t } = useTranslation('thread');
  const words = useFileWords();
  const type = media.contentType.split(';')[0]!.trim().toLowerCase();
  const kind = INLINE_IMAGE_TYPES.has(type)
    ? 'image'
    : type.startsWith('audio/')
      ? 'audio'
      : type.startsWith('video/')
        ? 'video'
        : type === 'text/vcard' || type === 'text/x-vcard'
          ? 'contact'
          : 'file';
  const [url, setUrl] = useState<string | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [viewing, setViewing] = useState(false);
  const [card, setCard] = useState<ContactCard | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A document's name and size (an upload's are known; a customer's come with the file).
  const [info, setInfo] = useState<{ name: string | null; size: number | null }>({ name: media.name ?? null, size: media.size ?? null });
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    if (kind === 'file') {
      if (media.name && media.size) return;
      load().then(
        (m) => live && setInfo({ name: m.fileName, size: m.size }),
        () => {}, // the download button says it if the file cannot be had
      );
      return () => {
        live = false;
      };
    }
    load()
      .then(async ({ dataUrl, fileName }) => {
        if (kind === 'contact') {
          const parsed = parseContactCard(await (await fetch(dataUrl)).text());
          if (!parsed) throw new Error(t('media.unreadableCard'));
          if (live) setCard(parsed);
        } else if (kind === 'image') {
          if (live) {
            setUrl(dataUrl);
            setFileName(fileName);
          }
        } else {
          made = await blobUrl(dataUrl, type);
          if (live) setUrl(made);
        }
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kind]);
  // The error is the server's or the browser's own words, as they are.
  if (error) return <span className="media error">{t(`media.unavailable.${kind}`, { error })}</span>;
  if (kind === 'image') {
    if (!url) return <span className="media loading">{t('media.loading.image')}</span>;
    const alt = fromCustomer ? t('media.photoFromCustomer') : t('media.photoYouSent');
    // A preview of a usable size whatever the photo's shape (styles.css), opening the whole photo.
    return (
      <>
        <button type="button" className="media-open" aria-haspopup="dialog" onClick={() => setViewing(true)}>
          <img className="media" src={url} alt={alt} />
        </button>
        {viewing && <ImageViewer src={url} alt={alt} fileName={media.name ?? fileName ?? downloadName(type)} onClose={() => setViewing(false)} />}
      </>
    );
  }
  if (kind === 'audio')
    return url ? (
      <audio className="media audio" controls preload="metadata" src={url} aria-label={t('media.audio')} />
    ) : (
      <span className="media loading">{t('media.loading.audio')}</span>
    );
  if (kind === 'video')
    return url ? (
      <video className="media video" controls preload="metadata" src={url} aria-label={t('media.video')} />
    ) : (
      <span className="media loading">{t('media.loading.video')}</span>
    );
  if (kind === 'contact') {
    if (!card) return <span className="media loading">{t('media.loading.contact')}</span>;
    return (
      <div className="media contact-card" role="group" aria-label={t('media.contact', { name: card.name })}>
        <strong dir="auto">
          <UserRound aria-hidden="true" /> {card.name}
        </strong>
        {card.organisation && (
          <span className="contact-org" dir="auto">
            {card.organisation}
          </span>
        )}
        <ul>
          {card.phones.map((p, i) => (
            <li key={i}>
              <span dir="auto">{p.label}</span>{' '}
              {p.e164 && (
                <button type="button" onClick={() => onOpenPhone(p.e164!)}>
                  {t('media.message', { phone: p.e164 })}
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  const label = info.name ?? words.kind(type);
  return (
    <button
      type="button"
      className="media file"
      onClick={() =>
        void load().then(
          async ({ dataUrl, fileName }) => {
            const blob = await (await fetch(dataUrl)).blob();
            const href = URL.createObjectURL(new Blob([blob], { type: 'application/octet-stream' }));
            const a = document.createElement('a');
            a.href = href;
            a.download = info.name ?? fileName ?? downloadName(type);
            a.click();
            setTimeout(() => URL.revokeObjectURL(href), 60_000);
          },
          (e: Error) => setError(e.message),
        )
      }
    >
      <Paperclip aria-hidden="true" />{' '}
      {info.size ? t('media.downloadWithSize', { file: label, size: words.size(info.size) }) : t('media.download', { file: label })}
    </button>
  );
}

/**
 * A link to a file for someone who is not signed in to Switchboard (pasted into a CRM record, sent
 * to a colleague): made on demand, copied, shown with when it stops working. Links on CRM records
 * expire (docs/crm.md); this is how an agent gives a fresh one.
 */
export function MediaShare({ make }: { make: () => Promise<MediaLink> }) {
  const { t } = useTranslation('thread');
  const { whenLabel } = useFormat();
  const [link, setLink] = useState<MediaLink | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const get = () =>
    make().then(
      async (l) => {
        setLink(l);
        setError(null);
        setCopied(
          await navigator.clipboard.writeText(l.url).then(
            () => true,
            () => false,
          ),
        );
      },
      (e: Error) => setError(e.message),
    );
  return (
    <div className="media-share">
      <button type="button" className="link" onClick={() => void get()}>
        <Link2 aria-hidden="true" /> {link ? t('media.share.new') : t('media.share.copy')}
      </button>
      {link && (
        <span role="status">
          {t(copied ? 'media.share.copied' : 'media.share.valid', { when: whenLabel(link.expiresAt) })}
          <input className="media-link" readOnly aria-label={t('media.share.linkLabel')} value={link.url} onFocus={(e) => e.target.select()} />
        </span>
      )}
      {error && <span role="alert">{t('media.share.failed', { error })}</span>}
    </div>
  );
}

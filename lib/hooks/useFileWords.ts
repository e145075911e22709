import { useTranslation } from 'react-i18next';
import { byteSize, SENDABLE_TYPES } from '../contract/whatsapp';
import type { AttachmentProblem } from './useUploads';

/**
 * Files as the agent reads them, in their language: a size ("4,2 MB" in Spanish), a kind of file
 * ("Documento de Word") and why an attachment cannot go.
 */
export function useFileWords() {
  const { t, i18n } = useTranslation('thread');
  const size = (n: number) => {
    const { value, unit, digits } = byteSize(n);
    const shown = value.toLocaleString(i18n.language, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    return unit === 'bytes' ? t('size.bytes', { count: value, size: shown }) : t(`size.${unit}`, { size: shown });
  };
  /** "Word document" for a type WhatsApp takes, else "File (application/zip)". */
  const kind = (contentType: string) => {
    const rule = SENDABLE_TYPES[contentType];
    return rule ? t(`fileType.${rule.type}`) : t('fileType.other', { type: contentType });
  };
  const problem = (p: AttachmentProblem): string => {
    switch (p.problem) {
      case 'type':
        return t('attachments.problem.type', { name: p.name, type: p.contentType || t('attachments.problem.unknownType') });
      case 'empty':
        return t('attachments.problem.empty', { name: p.name });
      case 'size':
        return t('attachments.problem.size', { name: p.name, size: size(p.size), kind: t(`fileType.${p.rule.type}`), max: size(p.rule.maxBytes) });
      case 'start':
        return t('attachments.problem.start', { error: p.detail });
      case 'failed':
        // The server's own reason when it gave one (English: server/media/uploads.ts), else the status.
        return p.detail ?? t('attachments.problem.failed', { status: p.status });
      case 'interrupted':
        return t('attachments.problem.interrupted');
    }
  };
  return { size, kind, problem };
}

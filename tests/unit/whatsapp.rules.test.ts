import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { failureGuide, fileNameOf, fileProblem, formatBytes, optKeyword } from '@/lib/contract/whatsapp';
import { useFileWords } from '@/lib/hooks/useFileWords';
import { createI18n, type Language } from '@/lib/i18n';
import { inLanguage } from '../support/i18n';
import { replyContents } from '@/lib/hooks/useReplyDraft';

const upload = (contentType: string, name = 'f') => ({ id: crypto.randomUUID(), contentType, size: 10, name });

describe('WhatsApp’s rules, as the composer and the server apply them', () => {
  it('knows the opt-out and opt-in keywords only as the whole message, in any case', () => {
    expect(['STOP', ' stop ', 'Unsubscribe', 'quit'].map(optKeyword)).toEqual(['out', 'out', 'out', 'out']);
    expect(['START', 'yes', 'Unstop'].map(optKeyword)).toEqual(['in', 'in', 'in']);
    expect(['please stop', 'stop it', 'STOPPED', ''].map(optKeyword)).toEqual([null, null, null, null]);
  });

  it('says why a file cannot go before it is uploaded, in the agent’s language', () => {
    const words = (language: Language) => renderHook(() => useFileWords(), { wrapper: inLanguage(language) }).result.current;
    const say = (file: { name: string; type: string; size: number }, language: Language = 'en') => {
      const problem = fileProblem(file);
      return problem && words(language).problem(problem);
    };
    expect(fileProblem({ name: 'a.png', type: 'image/png', size: 1000 })).toBeNull();
    expect(say({ name: 'big.jpg', type: 'image/jpeg', size: 6 * 1024 * 1024 })).toBe('big.jpg is 6.0 MB: WhatsApp takes a JPEG image of up to 5.0 MB.');
    expect(say({ name: 'film.mp4', type: 'video/mp4', size: 17 * 1024 * 1024 })).toBe('film.mp4 is 17 MB: WhatsApp takes a MP4 video of up to 16 MB.');
    expect(say({ name: 'x.zip', type: 'application/zip', size: 10 })).toMatch(/^x\.zip: WhatsApp cannot carry this kind of file \(application\/zip\)/);
    expect(say({ name: 'empty.pdf', type: 'application/pdf', size: 0 })).toBe('empty.pdf is empty.');
    expect(say({ name: 'big.jpg', type: 'image/jpeg', size: 6.2 * 1024 * 1024 }, 'es')).toBe(
      'big.jpg pesa 6,2 MB: para este tipo de archivo (imagen JPEG), WhatsApp admite hasta 5,0 MB.',
    );
    expect(words('pt-BR').kind('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('documento do Word');
    expect(words('en').size(1)).toBe('1 byte');
    // The server's messages stay English.
    expect(formatBytes(930 * 1024)).toBe('930 KB');
    expect(formatBytes(6 * 1024 * 1024)).toBe('6.0 MB');
  });

  it('turns Twilio’s error codes into a reason (a sentence in each language) and the next step that can work', () => {
    const t = createI18n('en').getFixedT('en', 'thread');
    const sentence = (code: number | null, message: string | null) => {
      const guide = failureGuide(code, message);
      return guide.reason ? t(`delivery.reason.${guide.reason}`) : guide.detail;
    };
    expect(failureGuide(63016, 'x').next).toBe('template');
    expect(failureGuide(21610, null).next).toBe('opted_out');
    expect(sentence(21610, null)).toContain('START');
    expect(failureGuide(63024, null).next).toBe('check_number');
    expect(failureGuide(63019, null).next).toBe('smaller_file');
    expect(failureGuide(63049, null).next).toBe('wait');
    // A code Switchboard does not know: Twilio's own words, as they are.
    expect(failureGuide(99999, 'Something odd')).toEqual({ reason: null, detail: 'Something odd', next: 'retry' });
    expect(failureGuide(null, null)).toMatchObject({ reason: 'undelivered', next: 'retry' });
    expect(sentence(null, null)).toBe('The message could not be delivered.');
  });

  it('sends one file per message, the text as the first file’s caption, or before a document', () => {
    const photo = upload('image/jpeg');
    const pdf = upload('application/pdf');
    expect(replyContents('Hi', null, [])).toEqual([{ body: 'Hi' }]);
    expect(replyContents('  ', null, [])).toEqual([]);
    expect(replyContents('Look', null, [photo, pdf])).toEqual([{ upload: photo, body: 'Look' }, { upload: pdf }]);
    expect(replyContents('Invoice', null, [pdf, photo])).toEqual([{ body: 'Invoice' }, { upload: pdf }, { upload: photo }]);
    expect(replyContents('', null, [pdf])).toEqual([{ upload: pdf }]);
  });

  it('reads a file’s name from Content-Disposition, the UTF-8 one first', () => {
    expect(fileNameOf('attachment; filename="Invoice 1042.pdf"')).toBe('Invoice 1042.pdf');
    expect(fileNameOf(`inline; filename="Fa_ura.pdf"; filename*=UTF-8''Fa%C8%9Bura.pdf`)).toBe('Fațura.pdf');
    expect(fileNameOf('attachment; filename=report.docx')).toBe('report.docx');
    expect(fileNameOf('attachment')).toBeNull();
    expect(fileNameOf(null)).toBeNull();
  });
});

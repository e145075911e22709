import { describe, expect, it } from 'vitest';
import { failureGuide, fileNameOf, fileProblem, formatBytes, optKeyword } from '@/lib/contract/whatsapp';
import { replyContents } from '@/lib/hooks/useReplyDraft';

const upload = (contentType: string, name = 'f') => ({ id: crypto.randomUUID(), contentType, size: 10, name });

describe('WhatsApp’s rules, as the composer and the server apply them', () => {
  it('knows the opt-out and opt-in keywords only as the whole message, in any case', () => {
    expect(['STOP', ' stop ', 'Unsubscribe', 'quit'].map(optKeyword)).toEqual(['out', 'out', 'out', 'out']);
    expect(['START', 'yes', 'Unstop'].map(optKeyword)).toEqual(['in', 'in', 'in']);
    expect(['please stop', 'stop it', 'STOPPED', ''].map(optKeyword)).toEqual([null, null, null, null]);
  });

  it('says why a file cannot go before it is uploaded', () => {
    expect(fileProblem({ name: 'a.png', type: 'image/png', size: 1000 })).toBeNull();
    expect(fileProblem({ name: 'big.jpg', type: 'image/jpeg', size: 6 * 1024 * 1024 })).toBe('big.jpg is 6.0 MB: WhatsApp takes a JPEG image of up to 5.0 MB.');
    expect(fileProblem({ name: 'film.mp4', type: 'video/mp4', size: 17 * 1024 * 1024 })).toBe('film.mp4 is 17 MB: WhatsApp takes a MP4 video of up to 16 MB.');
    expect(fileProblem({ name: 'x.zip', type: 'application/zip', size: 10 })).toMatch(/^x\.zip: WhatsApp cannot carry this kind of file \(application\/zip\)/);
    expect(fileProblem({ name: 'empty.pdf', type: 'application/pdf', size: 0 })).toBe('empty.pdf is empty.');
    expect(formatBytes(930 * 1024)).toBe('930 KB');
  });

  it('turns Twilio’s error codes into a sentence and the next step that can work', () => {
    expect(failureGuide(63016, 'x').next).toBe('template');
    expect(failureGuide(21610, null)).toMatchObject({ next: 'opted_out', sentence: expect.stringContaining('START') });
    expect(failureGuide(63024, null).next).toBe('check_number');
    expect(failureGuide(63019, null).next).toBe('smaller_file');
    expect(failureGuide(63049, null).next).toBe('wait');
    expect(failureGuide(99999, 'Something odd')).toEqual({ sentence: 'Something odd', next: 'retry' });
    expect(failureGuide(null, null).next).toBe('retry');
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

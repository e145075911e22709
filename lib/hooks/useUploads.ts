import { useCallback, useEffect, useRef, useState } from 'react';
import type { UploadTicket, UploadView } from '../contract/api';
import { fileProblem, type FileProblem } from '../contract/whatsapp';

/**
 * Why an attachment cannot go, as data the composer says in the agent's language: the file itself
 * (WhatsApp's limits), or its upload. `detail` is the server's or the network's own words, shown as
 * they are (the server's upload refusals are English sentences, server/media/uploads.ts).
 */
export type AttachmentProblem =
  FileProblem | { problem: 'start'; detail: string } | { problem: 'failed'; status: number; detail: string | null } | { problem: 'interrupted' };

/** A file the agent is attaching: checked, uploading (with progress), ready to send, or failed (and why). */
export interface Attachment {
  key: string;
  name: string;
  type: string;
  size: number;
  /** A local preview of an image (an object URL), or null. */
  preview: string | null;
  state: 'uploading' | 'ready' | 'failed';
  /** 0 to 1 while uploading. */
  progress: number;
  error: AttachmentProblem | null;
  /** A failure trying again may fix (the connection), not a file WhatsApp cannot carry. */
  retryable: boolean;
  upload: UploadView | null;
}

let keys = 0;

/**
 * The composer's attachments: each file is checked against WhatsApp's limits before anything is
 * sent (a clear sentence if it cannot go), then uploaded at once with a progress bar, which the
 * agent can cancel. A failed upload stays with its reason and can be tried again; nothing the
 * agent wrote is lost. The upload goes from this page (a ticket from the background, no token
 * here), since only a page can report upload progress.
 */
export function useUploads(ticket: () => Promise<UploadTicket>) {
  const [items, setItems] = useState<Attachment[]>([]);
  const files = useRef(new Map<string, File>());
  const requests = useRef(new Map<string, XMLHttpRequest>());
  const update = (key: string, change: Partial<Attachment>) => setItems((list) => list.map((a) => (a.key === key ? { ...a, ...change } : a)));

  const start = useCallback(
    async (key: string) => {
      const file = files.current.get(key);
      if (!file) return;
      update(key, { state: 'uploading', progress: 0, error: null, retryable: false });
      let target: UploadTicket;
      try {
        target = await ticket();
      } catch (err) {
        update(key, { state: 'failed', error: { problem: 'start', detail: (err as Error).message }, retryable: true });
        return;
      }
      if (!files.current.has(key)) return; // cancelled meanwhile
      const xhr = new XMLHttpRequest();
      requests.current.set(key, xhr);
      xhr.open('POST', target.url);
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.setRequestHeader('x-file-name', encodeURIComponent(file.name));
      xhr.setRequestHeader('x-file-type', file.type);
      xhr.upload.onprogress = (e) => e.lengthComputable && update(key, { progress: e.loaded / e.total });
      xhr.onload = () => {
        requests.current.delete(key);
        let answer: (UploadView & { message?: string }) | null = null;
        try {
          answer = JSON.parse(xhr.responseText) as UploadView & { message?: string };
        } catch {
          /* not JSON: said below */
        }
        if (xhr.status === 201 && answer) update(key, { state: 'ready', progress: 1, upload: answer });
        else
          update(key, {
            state: 'failed',
            error: { problem: 'failed', status: xhr.status, detail: answer?.message ?? null },
            retryable: xhr.status !== 415 && xhr.status !== 400,
          });
      };
      xhr.onerror = () => {
        requests.current.delete(key);
        update(key, { state: 'failed', error: { problem: 'interrupted' }, retryable: true });
      };
      xhr.send(file);
    },
    [ticket],
  );

  const add = useCallback(
    (list: FileList | File[]) => {
      for (const file of Array.from(list)) {
        const key = `f${++keys}`;
        const problem = fileProblem(file);
        files.current.set(key, file);
        const preview = !problem && file.type.startsWith('image/') ? URL.createObjectURL(file) : null;
        setItems((all) => [
          ...all,
          {
            key,
            name: file.name,
            type: file.type,
            size: file.size,
            preview,
            state: problem ? 'failed' : 'uploading',
            progress: 0,
            error: problem,
            retryable: false,
            upload: null,
          },
        ]);
        if (!problem) void start(key);
      }
    },
    [start],
  );

  /** Cancels an upload in flight, or takes a file off. */
  const remove = useCallback((key: string) => {
    requests.current.get(key)?.abort();
    requests.current.delete(key);
    files.current.delete(key);
    setItems((list) => {
      const gone = list.find((a) => a.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return list.filter((a) => a.key !== key);
    });
  }, []);

  const clear = useCallback(() => {
    for (const key of [...files.current.keys()]) remove(key);
  }, [remove]);

  useEffect(() => () => clear(), [clear]);

  return {
    items,
    add,
    remove,
    /** Tries a failed upload again (a file WhatsApp cannot carry stays refused). */
    retry: (key: string) => {
      const file = files.current.get(key);
      if (file && !fileProblem(file)) void start(key);
    },
    clear,
    /** How many files are still uploading: sending waits. */
    busy: items.filter((a) => a.state === 'uploading').length,
    /** How many files cannot go (refused or failed): sending waits until they are retried or taken off. */
    blocked: items.filter((a) => a.state === 'failed').length,
    ready: items.flatMap((a) => (a.upload && a.state === 'ready' ? [a.upload] : [])),
  };
}
export type Uploads = ReturnType<typeof useUploads>;

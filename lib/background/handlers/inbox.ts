import type { LoadedMedia } from '../../contract/api';
import { addConversation } from '../../inbox/state';
import { updateInbox } from '../../inbox/store';
import { conversationForPhone, openConversation } from '../conversations';
import { done, type Current, type Handlers } from './types';

/** The side panel's inbox: opening conversations, what is on screen, search, older pages, files. */
export function inboxHandlers(current: Current<'api' | 'rooms'>) {
  return {
    'inbox:openConversation': async ({ conversationId }) => done(await openConversation((await current()).api, conversationId)),
    'inbox:openPhone': async ({ phone }) => {
      const { api } = await current();
      const conversationId = await conversationForPhone(api, phone);
      await openConversation(api, conversationId);
      return { conversationId };
    },
    // The conversations found join the inbox so they can be opened.
    'inbox:search': async ({ query }) => {
      const found = await (await current()).api.search(query);
      await updateInbox((s) => found.results.reduce((acc, r) => addConversation(acc, r.conversation), s));
      return found;
    },
    // Kept by the side panel: the bounded cache keeps only the latest messages.
    'inbox:older': async ({ conversationId, before }) => (await current()).api.messages(conversationId, before),
    'media:get': async ({ conversationId, messageId, index }): Promise<LoadedMedia> => {
      // A data: URL the side panel can show: the token stays here.
      const { blob, fileName } = await (await current()).api.media(conversationId, messageId, index);
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      const contentType = blob.type || 'application/octet-stream';
      return { dataUrl: `data:${contentType};base64,${btoa(binary)}`, contentType, fileName, size: bytes.length };
    },
    'media:link': async ({ conversationId, messageId, index }) => (await current()).api.mediaLink(conversationId, messageId, index),
  } satisfies Partial<Handlers>;
}

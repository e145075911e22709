import { browser } from 'wxt/browser';
import { sendSoundMessage } from '../messaging/protocol';

const SOUND = '/sounds/notify.wav';
const OFFSCREEN = '/offscreen.html';
let creating: Promise<void> | null = null;

/**
 * Plays the extension's notification sound. Chrome's service worker has no audio: the sound plays
 * in an offscreen document, created on first use and kept. Firefox's background page has a DOM and
 * plays it itself.
 */
export async function playNotificationSound(): Promise<void> {
  const offscreen = (globalThis as { chrome?: { offscreen?: ChromeOffscreen } }).chrome?.offscreen;
  if (!offscreen) {
    await new Audio(browser.runtime.getURL(SOUND)).play();
    return;
  }
  // Chrome closes an audio document 30 s after its last sound: look every time, create once at a time.
  creating ??= (async () => {
    if (await offscreen.hasDocument()) return;
    await offscreen.createDocument({ url: OFFSCREEN, reasons: ['AUDIO_PLAYBACK'], justification: 'Notification sound for new WhatsApp messages' });
  })()
    .catch((err: Error) => {
      // Created meanwhile (the worker restarted with the document still open): nothing to do.
      if (!/single offscreen document/i.test(err.message)) throw err;
    })
    .finally(() => (creating = null));
  await creating;
  await sendSoundMessage('sound:play');
}

/** The part of Chrome's `offscreen` API used here. */
interface ChromeOffscreen {
  createDocument(p: { url: string; reasons: string[]; justification: string }): Promise<void>;
  hasDocument(): Promise<boolean>;
}

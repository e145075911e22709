import { onSoundMessage } from '@/lib/messaging/protocol';

// Chrome's service worker has no audio: the background opens this document (offscreen, reason
// AUDIO_PLAYBACK) and asks it to play the extension's own notification sound.
const audio = document.getElementById('notify') as HTMLAudioElement;
let played = 0;
onSoundMessage('sound:play', async () => {
  audio.currentTime = 0;
  await audio.play();
  // What the end-to-end test reads: how many sounds this document has played.
  document.documentElement.dataset.played = String(++played);
  return played;
});

import type { CDPSession } from 'playwright-core';

type TargetInfo = { type: string; url: string; targetId: string };

/**
 * A CDP session with another target of the browser (the extension's service worker, its offscreen
 * document), through the browser's target attachment (Playwright offers CDP sessions with pages
 * only): `call` sends one method and resolves with its result.
 */
export async function attachToTarget(cdp: CDPSession, match: (t: TargetInfo) => boolean, what = 'target') {
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find(match);
  if (!target) throw new Error(`${what} not found`);
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let nextId = 1;
  const call = (method: string, params: object = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = nextId++;
      const onMessage = (e: { sessionId?: string; message: string }) => {
        const msg = JSON.parse(e.message) as { id?: number; result?: Record<string, unknown> };
        if (e.sessionId === sessionId && msg.id === id) {
          cdp.off('Target.receivedMessageFromTarget', onMessage);
          resolve(msg.result ?? {});
        }
      };
      cdp.on('Target.receivedMessageFromTarget', onMessage);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    });
  return { call, detach: () => cdp.send('Target.detachFromTarget', { sessionId }) };
}

/** The extension's service worker. */
export const attachToWorker = (cdp: CDPSession, workerUrl: string) =>
  attachToTarget(cdp, (t) => t.type === 'service_worker' && t.url === workerUrl, 'service worker target');

import { lazy, Suspense, type ComponentType } from 'react';

/**
 * Parts of the side panel its first paint does without, each a chunk of its own loaded when first
 * shown (nothing in its place meanwhile): the thread (its composer, bubbles, media and virtualiser),
 * the floor strip (leads and admins), the bulk bar (selection) and the first-run forms (signed out).
 * See docs/delivery-scope.md, "First paint".
 */
function part<P extends object>(load: () => Promise<ComponentType<P>>) {
  const Lazy = lazy(() => load().then((component) => ({ default: component })));
  return function Part(props: P) {
    return (
      <Suspense fallback={null}>
        <Lazy {...props} />
      </Suspense>
    );
  };
}

const loadThread = () => import('./OpenThread');
export const OpenThread = part(() => loadThread().then((m) => m.OpenThread));
export const FloorStrip = part(() => import('./reports/FloorStrip').then((m) => m.FloorStrip));
export const BulkBar = part(() => import('./BulkBar').then((m) => m.BulkBar));
export const FirstRun = part(() => import('./Onboarding').then((m) => m.FirstRun));

/** Loads the thread's chunk ahead, once the list is on screen: opening a conversation then waits for nothing. */
export function preloadThread(): void {
  void loadThread().catch(() => {
    // Loaded again when the thread is shown.
  });
}

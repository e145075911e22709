import { browser } from 'wxt/browser';

const WATCHDOG = 'switchboard-watchdog';
/** A gap this long between 10-second ticks means the machine slept (timers stood still). */
const SLEPT_MS = 30_000;

/**
 * Keeps the connections alive across what stops them. Realtime heartbeats and Socket.IO pings
 * (every 25 s) keep the service worker running (Chrome 116+); if Chrome stops it anyway, the
 * watchdog alarm wakes it, and waking re-runs the background's start, which reconnects and
 * catches up from the stored cursor. Back online, or awake after sleep, sockets may be half-open:
 * they are rebuilt.
 */
export function keepAlive(deps: { watchdog(): void; reconnect(): void }): void {
  void browser.alarms.create(WATCHDOG, { periodInMinutes: 0.5 });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === WATCHDOG) deps.watchdog();
  });
  self.addEventListener('online', () => deps.reconnect());
  let lastTick = Date.now();
  setInterval(() => {
    const now = Date.now();
    if (now - lastTick > SLEPT_MS) deps.reconnect();
    lastTick = now;
  }, 10_000);
}

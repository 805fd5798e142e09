import type { Logger } from 'winston';
import { onReloadSignal } from '../process-guards.js';

/** Read once at start: a reload cannot change them (the log says so at each reload). */
export const RESTART_ONLY =
  '--web.listen-address, --web.telemetry-path, --storage.path, --log.*, the wechat and remoteWrite sections are read at start only; restart to change them';

/**
 * SIGHUP never ends the process (Node's default would): it is caught from the first moment of the
 * daemon, only logged while the exporter starts (the configuration is being read then anyway),
 * and reloads once `reloadWith` is given the reload. After `release` (shutdown) it is only logged:
 * the handler stays installed for the process' life (onReloadSignal), so a late SIGHUP is harmless.
 */
export function catchSighup(log: Logger): { reloadWith(reload: () => Promise<unknown>): void; release(): void } {
  let reload: (() => Promise<unknown>) | undefined;
  let released = false;
  onReloadSignal(() => {
    if (released) {
      log.info('SIGHUP during shutdown: ignored');
      return;
    }
    if (!reload) {
      log.info('SIGHUP during start-up: ignored (the configuration is being read now)');
      return;
    }
    log.info('SIGHUP: reloading the configuration', { note: RESTART_ONLY });
    void reload();
  });
  return {
    reloadWith: (fn) => {
      reload = fn;
    },
    release: () => {
      released = true;
    },
  };
}

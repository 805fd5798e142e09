import type { Writable } from 'node:stream';

/**
 * Keeps the process alive when its standard output or error goes away (a log shipper restarted,
 * `| head`, a closed terminal): Node reports EPIPE as an 'error' event, fatal when nobody listens.
 * Logging is best effort; losing log lines must never stop the polling or the store.
 */
export function survivePipeErrors(streams: readonly Writable[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', () => {
      // Nothing to do and nowhere to say it: the stream that failed is where it would be said.
    });
  }
}

/**
 * SIGHUP's default action ends the process. The contract makes SIGHUP a reload: `onReload` is
 * called instead (reload/sighup.ts gives the reload). The handler stays installed for the
 * process' life so that a late SIGHUP during shutdown is harmless too.
 */
export function onReloadSignal(onReload: () => void): void {
  process.on('SIGHUP', onReload);
}

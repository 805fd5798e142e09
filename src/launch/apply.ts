/**
 * Imported first by cli.ts, so that node is started again (./memory.ts) before the exporter's
 * modules run.
 */
import { startAgain } from './start.js';

const STARTED_AGAIN = new Error('started again with the memory flags');

if (startAgain()) {
  // This process now only waits for its child. Throwing ends the evaluation of the module graph
  // here, so that the exporter's modules imported after this one never run in it (they held some
  // 45 MiB of anonymous memory in the waiting parent, measured); the handler keeps the process
  // (and its child's watch) going.
  process.on('uncaughtException', (err) => {
    if (err === STARTED_AGAIN) return;
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
  throw STARTED_AGAIN;
}

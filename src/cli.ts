#!/usr/bin/env node
/**
 * The program's start (the package's `bin`, `node dist/src/cli.js`, the image's ENTRYPOINT): node
 * is started again with the image's memory settings when it lacks them (src/launch/) before any
 * of the exporter's modules is loaded, so that a process that only waits for its child holds no
 * more than node itself; then the command line runs (command-line.ts).
 */
import { startAgain } from './launch/start.js';

if (!startAgain()) await import('./command-line.js');

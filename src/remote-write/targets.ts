import { remoteWriteSchema, type RemoteWriteConfig } from '../config/remote-write.js';
import { formatIssues } from '../config/load.js';

/** A `remoteWrite` list validated, defaults filled in (the backfill's `--remote-write URL` uses the config's defaults). */
export function parseRemoteWrite(raw: unknown): RemoteWriteConfig[] {
  return remoteWriteSchema.parse(raw);
}

/** What is wrong with a `remoteWrite` list, one line per problem with its path (`[0].url: ...`). */
export function remoteWriteProblems(raw: unknown): string[] {
  const result = remoteWriteSchema.safeParse(raw);
  return result.success ? [] : formatIssues(result.error.issues);
}

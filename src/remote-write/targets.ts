import { remoteWriteSchema, remoteWriteTarget, type RemoteWriteConfig } from '../config/remote-write.js';
import { formatIssues } from '../config/load.js';

/** A target with only a URL, the config's defaults filled in (the backfill's `--remote-write URL`). */
export function plainTarget(url: string): RemoteWriteConfig {
  return remoteWriteTarget.parse({ url });
}

/** What is wrong with a `remoteWrite` list, one line per problem with its path (`[0].url: ...`). */
export function remoteWriteProblems(raw: unknown): string[] {
  const result = remoteWriteSchema.safeParse(raw);
  return result.success ? [] : formatIssues(result.error.issues);
}

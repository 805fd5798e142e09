/** Go's bcrypt needs at least this many characters: `$2y$10$` and 53 of salt and hash. */
const MIN_HASH_SIZE = 59;

/**
 * Why `hash` is not a bcrypt hash, in the words of Go's `bcrypt.Cost` (which the toolkit runs on
 * every `basic_auth_users` entry at start), or undefined when it is one. The message never quotes
 * the hash.
 */
export function bcryptHashProblem(hash: string): string | undefined {
  const hint = 'expected a bcrypt hash, e.g. from htpasswd -nBC 10 "" | tr -d \':\\n\'';
  if (hash.length < MIN_HASH_SIZE) return `hashedSecret too short to be a bcrypted password (${hint})`;
  if (hash[0] !== '$') return `bcrypt hashes must start with '$' (${hint})`;
  if ((hash[1] ?? '') > '2') return `bcrypt algorithm version '${hash[1] ?? ''}' requested is newer than current version '2'`;
  const costAt = hash[2] === '$' ? 3 : 4;
  const cost = Number(hash.slice(costAt, costAt + 2));
  if (!/^\d\d$/.test(hash.slice(costAt, costAt + 2))) return `invalid bcrypt cost (${hint})`;
  if (cost < 4 || cost > 31) return `cost ${cost} is outside allowed inclusive range 4..31`;
  return undefined;
}

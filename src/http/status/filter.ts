import type { AccountState } from '../../poll/account-state.js';

/** `team=payments`: a label name (as the config accepts them), `=`, and the value (may be empty). */
const PAIR = /^([a-zA-Z_][a-zA-Z0-9_]*)=(.*)$/;

/** Whether one word of the filter matches the account. */
function termMatches(a: AccountState, term: string): boolean {
  const pair = PAIR.exec(term);
  if (pair) {
    // The label's whole value (case aside; the name is case-sensitive, as in Prometheus); `team=`
    // matches accounts without a team, as Prometheus' matcher `team=""` does.
    const [, name = '', value = ''] = pair;
    return (a.labels[name] ?? '').toLowerCase() === value.toLowerCase();
  }
  const needle = term.toLowerCase();
  return (
    a.name.toLowerCase().includes(needle) ||
    a.appid.toLowerCase().includes(needle) ||
    Object.values(a.labels).some((v) => v.toLowerCase().includes(needle))
  );
}

/**
 * The status page's `q` as a test of an account: every word must match; a word matches a part of
 * the account's name, appid or one of its label values, case-insensitively, and a word
 * `name=value` matches that label's whole value (`team=payments customer=acme`). Empty: every account.
 */
export function accountFilter(q: string): (a: AccountState) => boolean {
  const terms = q.split(/\s+/).filter(Boolean);
  return (a) => terms.every((t) => termMatches(a, t));
}

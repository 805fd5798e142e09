import { z } from 'zod';

/**
 * Prometheus label names: https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels
 * (the UTF-8 names of Prometheus 3 are left out: the rules join them with `group_left (team)`,
 * which needs a plain name).
 */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Names the exporter or Prometheus already give the account's series: an account label of that
 * name would clash with them (`job`, `instance` are the target's), and `__*` is reserved by
 * Prometheus for internal use.
 */
export const RESERVED_LABELS: readonly string[] = ['appid', 'account', 'hour', 'job', 'instance'];

/** Why `name` cannot be an account label, or undefined when it can. */
export function labelNameProblem(name: string): string | undefined {
  if (!LABEL_NAME.test(name)) return `${JSON.stringify(name)} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`;
  if (name.startsWith('__')) return `${JSON.stringify(name)} is reserved (names starting with "__" are Prometheus' own)`;
  if (RESERVED_LABELS.includes(name))
    return `${JSON.stringify(name)} is reserved (the exporter and Prometheus set ${RESERVED_LABELS.join(', ')} themselves)`;
  return undefined;
}

/** At most this many labels on one account, each value at most this long: an info series, not a document. */
export const MAX_ACCOUNT_LABELS = 32;
export const MAX_LABEL_VALUE = 256;

/**
 * `labels:` of an account: label name → string value, e.g. `{team: payments, customer: acme}`.
 * Sorted by name once here, so that the info series and the status page list them alike whatever
 * the order in the file, and two lists with the same labels compare equal on reload.
 */
export const accountLabels = z
  .record(
    // Checked on the key itself, so that a bad name is reported even when a value is wrong too.
    z
      .string()
      .superRefine((name, ctx) => {
        const problem = labelNameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      // The same rules for the chart's values.schema.json (scripts/values-schema.ts), without a
      // lookahead: Helm checks the schema with Go's regexp.
      .meta({ pattern: LABEL_NAME.source, not: { anyOf: [{ enum: [...RESERVED_LABELS] }, { pattern: '^__' }] } }),
    z.string().max(MAX_LABEL_VALUE, `expected at most ${MAX_LABEL_VALUE} characters`),
  )
  .default({})
  .refine((labels) => Object.keys(labels).length <= MAX_ACCOUNT_LABELS, `expected at most ${MAX_ACCOUNT_LABELS} labels`)
  .transform((labels): Readonly<Record<string, string>> =>
    Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  )
  .meta({ description: 'Labels of the account (e.g. team, customer) on wechat_exporter_account_info.', maxProperties: MAX_ACCOUNT_LABELS });

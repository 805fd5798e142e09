/** Configuration files of the end-to-end stack: exporter, Alertmanager, Prometheus, and the rules copy. */
import { stringify } from 'yaml';

export interface E2eAccount {
  readonly name: string;
  readonly appid: string;
  /** Name of the environment variable that holds the appsecret. */
  readonly secretEnv: string;
  /** The account's `labels:` (owner labels). */
  readonly labels?: Readonly<Record<string, string>>;
}

export function exporterConfig(simulatorUrl: string, accounts: readonly E2eAccount[]): string {
  return stringify({
    wechat: { baseUrls: [simulatorUrl], timeout: '2s' },
    accounts: accounts.map((a) => ({ name: a.name, appid: a.appid, secretEnv: a.secretEnv, ...(a.labels ? { labels: a.labels } : {}) })),
  });
}

/** The receivers by owner: alerts whose `team` label is the key go to the receiver named after it. */
export const OWNER_RECEIVERS = { payments: 'payments-team', newsroom: 'newsroom-team' } as const;

/**
 * Everything to the webhook, fast, routed by owner as prometheus/alertmanager.example.yml shows:
 * `team="payments"` and `team="newsroom"` to their own receivers (the same URL: the webhook tells
 * them apart by the notification's `receiver`), the rest to `webhook`. One group per alert name,
 * so the first notification about an alert name lists every account it fires for at that moment.
 */
export function alertmanagerConfig(webhookUrl: string): string {
  const receiver = (name: string) => ({ name, webhook_configs: [{ url: webhookUrl, send_resolved: false }] });
  return stringify({
    route: {
      receiver: 'webhook',
      group_by: ['alertname'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
      routes: Object.entries(OWNER_RECEIVERS).map(([team, name]) => ({ matchers: [`team="${team}"`], receiver: name })),
    },
    receivers: [receiver('webhook'), ...Object.values(OWNER_RECEIVERS).map(receiver)],
  });
}

export function prometheusConfig(options: { exporterTarget: string; alertmanagerTarget: string; rulesFile: string }): string {
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanagerTarget] }] }] },
    rule_files: [options.rulesFile],
    scrape_configs: [{ job_name: 'wechat-interface-exporter', static_configs: [{ targets: [options.exporterTarget] }] }],
  });
}

const FOR_LINE = /^(\s*for:\s*)\S+(\s*)$/;

/**
 * The rules file with every alert's `for:` set to `to`, every other byte unchanged. Real alerts
 * wait 5m or more before firing; an end-to-end test cannot. Throws if the file has an alert
 * without a `for:` line or a `for:` this rewrite would miss, so the copy cannot drift silently.
 */
export function rulesWithFor(source: string, to: string): string {
  const lines = source.split('\n');
  let replaced = 0;
  const out = lines.map((line) => {
    const m = FOR_LINE.exec(line);
    if (!m) return line;
    replaced++;
    return `${m[1] ?? ''}${to}${m[2] ?? ''}`;
  });
  const alerts = lines.filter((l) => /^\s*- alert:/.test(l)).length;
  const forKeys = lines.filter((l) => /^\s*for:/.test(l)).length;
  if (replaced !== alerts || forKeys !== alerts) {
    throw new Error(`rules file: ${alerts} alerts, ${forKeys} "for:" keys, ${replaced} rewritten; expected one plain "for:" per alert`);
  }
  return out.join('\n');
}

import { Gauge, type Registry } from 'prom-client';
import type { AccountState } from '../poll/account-state.js';
import { startOfBeijingDay } from '../dates.js';
import type { BuildInfo } from '../version.js';
import { FIGURES, FIGURE_HELP, NO_TRAFFIC, figureValue } from '../figures.js';

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/**
 * The data and state gauges of README "Metrics". Their values are rebuilt at each scrape from the
 * in-memory account states (no I/O, no API call), so they change only when stored data or an
 * account's state changes.
 */
export function registerExporterMetrics(registry: Registry, accounts: () => readonly AccountState[], build: BuildInfo): void {
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>) => void): void => {
    const g: Gauge<L> = new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        g.reset();
        fill(g);
      },
    });
  };

  for (const figure of FIGURES) {
    gauge(
      `wechat_interface_hour_${figure}`,
      `Reference day, by Beijing hour: ${FIGURE_HELP[figure]}.`,
      ['appid', 'account', 'hour'],
      (g) => {
        for (const a of accounts()) {
          if (!a.reference) continue;
          for (const h of HOURS) {
            const v = figureValue(a.reference.hours[h] ?? NO_TRAFFIC, figure);
            if (v !== undefined) g.set({ appid: a.appid, account: a.name, hour: String(h).padStart(2, '0') }, v);
          }
        }
      },
    );
  }
  for (const figure of FIGURES) {
    gauge(`wechat_interface_day_${figure}`, `Reference day (daily API): ${FIGURE_HELP[figure]}.`, ['appid', 'account'], (g) => {
      for (const a of accounts()) {
        const v = a.reference && figureValue(a.reference.daily, figure);
        if (v !== undefined) g.set({ appid: a.appid, account: a.name }, v);
      }
    });
  }
  gauge(
    'wechat_interface_reference_day_timestamp_seconds',
    'Unix time of 00:00 Beijing (UTC+8) of the reference day, the newest day stored.',
    ['appid', 'account'],
    (g) => {
      for (const a of accounts()) {
        if (a.reference) g.set({ appid: a.appid, account: a.name }, startOfBeijingDay(a.reference.refDate) / 1000);
      }
    },
  );
  gauge('wechat_exporter_account_up', '1 if the last poll of the account succeeded, else 0.', ['appid', 'account'], (g) => {
    for (const a of accounts()) {
      if (a.up !== undefined) g.set({ appid: a.appid, account: a.name }, a.up ? 1 : 0);
    }
  });
  gauge(
    'wechat_exporter_account_error_info',
    'Why the account is down (present only while wechat_exporter_account_up is 0): reason, and the WeChat errcode if any.',
    ['appid', 'account', 'reason', 'errcode'],
    (g) => {
      for (const a of accounts()) {
        if (a.up === false && a.lastError) {
          g.set(
            {
              appid: a.appid,
              account: a.name,
              reason: a.lastError.reason,
              errcode: a.lastError.errcode === undefined ? '' : String(a.lastError.errcode),
            },
            1,
          );
        }
      }
    },
  );
  gauge(
    'wechat_exporter_last_success_timestamp_seconds',
    'Unix time when data was last fetched successfully for the account.',
    ['appid', 'account'],
    (g) => {
      for (const a of accounts()) {
        if (a.lastSuccessAt !== undefined) g.set({ appid: a.appid, account: a.name }, a.lastSuccessAt / 1000);
      }
    },
  );
  gauge(
    'wechat_exporter_pending_dates',
    'Dates of the lookback window not stored yet for the account (waiting for WeChat, or after errors).',
    ['appid', 'account'],
    (g) => {
      for (const a of accounts()) {
        if (a.up !== undefined) g.set({ appid: a.appid, account: a.name }, a.pendingDays.length);
      }
    },
  );
  const info = new Gauge({
    name: 'wechat_exporter_build_info',
    help: 'Build information of the exporter; always 1.',
    labelNames: ['version', 'revision', 'nodejs'] as const,
    registers,
  });
  info.set({ version: build.version, revision: build.revision, nodejs: build.nodejs }, 1);
}

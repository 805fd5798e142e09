import { startOfBeijingDay } from '../../dates.js';
import type { AccountState } from '../../poll/account-state.js';
import { FIGURES, FIGURE_HELP, NO_TRAFFIC, figureValue, type Figure } from '../../figures.js';
import { formatLabels } from './text-format.js';

/** One sample of an account: its labels after `appid` and `account`, already rendered (`hour="07"`), and the value. */
export interface AccountSample {
  readonly labels?: string;
  readonly value: number;
}

/** A gauge family whose samples come from the accounts' states, in account order. */
export interface AccountFamily {
  readonly name: string;
  readonly help: string;
  readonly samples: (a: AccountState) => readonly AccountSample[];
}

/** `hour="00"`…`hour="23"`, made once: 24 strings shared by every account. */
const HOUR_LABELS = Array.from({ length: 24 }, (_, h) => formatLabels([['hour', String(h).padStart(2, '0')]]));

const present = (value: number | undefined): AccountSample[] => (value === undefined ? [] : [{ value }]);

function hourFamily(figure: Figure): AccountFamily {
  return {
    name: `wechat_interface_hour_${figure}`,
    help: `Reference day, by Beijing hour: ${FIGURE_HELP[figure]}.`,
    samples: (a) => {
      if (!a.reference) return [];
      const out: AccountSample[] = [];
      for (let h = 0; h < 24; h++) {
        const value = figureValue(a.reference.hours[h] ?? NO_TRAFFIC, figure);
        if (value !== undefined) out.push({ labels: HOUR_LABELS[h], value });
      }
      return out;
    },
  };
}

function dayFamily(figure: Figure): AccountFamily {
  return {
    name: `wechat_interface_day_${figure}`,
    help: `Reference day (daily API): ${FIGURE_HELP[figure]}.`,
    samples: (a) => present(a.reference && figureValue(a.reference.daily, figure)),
  };
}

const STATE_FAMILIES: readonly AccountFamily[] = [
  {
    name: 'wechat_interface_reference_day_timestamp_seconds',
    help: 'Unix time of 00:00 Beijing (UTC+8) of the reference day, the newest day stored.',
    samples: (a) => present(a.reference && startOfBeijingDay(a.reference.refDate) / 1000),
  },
  {
    name: 'wechat_exporter_account_up',
    help: '1 if the last poll of the account succeeded, else 0.',
    samples: (a) => present(a.up === undefined ? undefined : a.up ? 1 : 0),
  },
  {
    name: 'wechat_exporter_account_error_info',
    help: 'Why the account is down (present only while wechat_exporter_account_up is 0): reason, and the WeChat errcode if any.',
    samples: (a) =>
      a.up === false && a.lastError
        ? [
            {
              labels: formatLabels([
                ['reason', a.lastError.reason],
                ['errcode', a.lastError.errcode === undefined ? '' : String(a.lastError.errcode)],
              ]),
              value: 1,
            },
          ]
        : [],
  },
  {
    name: 'wechat_exporter_last_success_timestamp_seconds',
    help: 'Unix time when data was last fetched successfully for the account.',
    samples: (a) => present(a.lastSuccessAt === undefined ? undefined : a.lastSuccessAt / 1000),
  },
  {
    name: 'wechat_exporter_pending_dates',
    help: 'Dates of the lookback window not stored yet for the account (waiting for WeChat, or after errors).',
    samples: (a) => present(a.up === undefined ? undefined : a.pendingDays.length),
  },
  {
    // The info pattern (kube-state-metrics' kube_*_labels, YACE's aws_*_info): the account's own
    // labels on one series, joined onto others with `group_left`, rather than copied onto each of
    // its series (README, "Account labels", says why).
    name: 'wechat_exporter_account_info',
    help: "The account's labels (labels: in the config or its discovery entry); always 1. Join them with group_left.",
    samples: (a) => [{ labels: formatLabels(Object.entries(a.labels)), value: 1 }],
  },
];

/**
 * The contract's per-account gauges, in the order `/metrics` has always listed them. With
 * `metrics.hourly: false` the five hourly families are left out (a tenth of the series remain).
 */
export function accountFamilies(hourly: boolean): readonly AccountFamily[] {
  return [...(hourly ? FIGURES.map(hourFamily) : []), ...FIGURES.map(dayFamily), ...STATE_FAMILIES];
}

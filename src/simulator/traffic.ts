/**
 * Simulated interface-summary statistics: pure functions of (appid, date, hour, profile), so the
 * simulator's answers and a test's expectations are computed by the same code, to the unit.
 *
 * The shape follows what real accounts show: quiet nights, a morning rush, a long evening peak,
 * weekends later and lighter, the odd campaign day, failures and latency that grow with load, and
 * callbacks beyond WeChat's 5-second reply timeout (recorded just above 5000 ms, like the 5042 and
 * 5044 in the API page's samples) when the account's server has trouble.
 */
import { isBeijingDate } from '../dates.js';
import { binomial, poisson, rngFor, uniform, uniformInt, type Rng } from './random.js';
import type { SimDailyRow, SimHourlyRow, SimulatorProfile } from './types.js';

export const DEFAULT_PROFILE: Required<SimulatorProfile> = Object.freeze({
  dailyCallbacks: 20_000,
  failureRatio: 0.002,
  latencyMs: 180,
});

/** WeChat stops waiting for a passive reply after 5 s; such a callback fails. */
const REPLY_TIMEOUT_MS = 5000;

// Relative traffic per Beijing hour, 00..23. Weekdays: a morning rush and an evening peak.
const WEEKDAY_SHAPE = [
  1.6, 0.7, 0.3, 0.15, 0.12, 0.2, 0.6, 2.4, 4.6, 5.8, 6.1, 5.7, 4.9, 4.5, 5.0, 5.1, 5.0, 5.1, 5.2, 5.7, 6.5, 6.8, 5.3, 3.4,
] as const;
// Weekends: people sleep in, the evening is the same or busier.
const WEEKEND_SHAPE = [
  2.2, 1.2, 0.5, 0.25, 0.15, 0.15, 0.3, 1.0, 2.3, 3.8, 5.0, 5.5, 5.2, 5.0, 5.1, 5.0, 4.9, 5.0, 5.4, 6.0, 6.7, 6.8, 5.8, 4.0,
] as const;
const EVENING_FROM = 18;
/** Hours in which an account may have no traffic at all (its service window is closed). */
const QUIET_FIRST = 1;
const QUIET_LAST = 6;

/** The profile with defaults applied; throws on values that cannot describe traffic. */
export function resolveProfile(profile: SimulatorProfile = {}): Required<SimulatorProfile> {
  const p = { ...DEFAULT_PROFILE, ...stripUndefined(profile) };
  if (!Number.isFinite(p.dailyCallbacks) || p.dailyCallbacks < 0) {
    throw new TypeError(`simulator profile: dailyCallbacks must be a finite number >= 0, got ${String(p.dailyCallbacks)}`);
  }
  if (!Number.isFinite(p.failureRatio) || p.failureRatio < 0 || p.failureRatio > 1) {
    throw new TypeError(`simulator profile: failureRatio must be within 0..1, got ${String(p.failureRatio)}`);
  }
  if (!Number.isFinite(p.latencyMs) || p.latencyMs < 0) {
    throw new TypeError(`simulator profile: latencyMs must be a finite number >= 0, got ${String(p.latencyMs)}`);
  }
  return p;
}

function stripUndefined(profile: SimulatorProfile): SimulatorProfile {
  return Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined));
}

/** Traits that stay the same for an account across days. */
interface AccountTraits {
  readonly weekendFactor: number;
  readonly eveningBias: number;
}

function accountTraits(appid: string): AccountTraits {
  const rng = rngFor(appid, 'traits');
  return { weekendFactor: uniform(rng, 0.55, 0.85), eveningBias: uniform(rng, 0.8, 1.25) };
}

/** What happens on one day for one account: its volume, closed hours and trouble hour. */
interface DayPlan {
  readonly shape: readonly number[];
  readonly volume: number;
  readonly quiet: ReadonlySet<number>;
  readonly incidentHour: number | undefined;
}

function planDay(appid: string, date: string, dailyCallbacks: number): DayPlan {
  const traits = accountTraits(appid);
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // a calendar fact, no time zone involved
  const weekend = weekday === 0 || weekday === 6;
  // Sunday .. Saturday: Monday busiest, easing through the week.
  const weekdayFactor = [traits.weekendFactor * 0.95, 1.1, 1.06, 1.03, 1.0, 0.96, traits.weekendFactor][weekday] ?? 1;
  const rng = rngFor(appid, date, 'day');
  let volume = dailyCallbacks * weekdayFactor * uniform(rng, 0.88, 1.12);
  if (rng() < 0.06) volume *= uniform(rng, 1.5, 2.2); // a campaign or a push message

  const quietLength = pickWeighted(rng, [0.1, 0.3, 0.3, 0.2, 0.1]);
  const quietStart = uniformInt(rng, QUIET_FIRST, QUIET_LAST - quietLength + 1);
  const quiet = new Set<number>();
  for (let h = quietStart; h < quietStart + quietLength; h++) quiet.add(h);

  const incidentHour = rng() < 0.15 ? uniformInt(rng, 8, 23) : undefined;
  return { shape: normalisedShape(weekend ? WEEKEND_SHAPE : WEEKDAY_SHAPE, traits.eveningBias), volume, quiet, incidentHour };
}

function normalisedShape(base: readonly number[], eveningBias: number): number[] {
  const biased = base.map((w, h) => (h >= EVENING_FROM ? w * eveningBias : w));
  const sum = biased.reduce((a, b) => a + b, 0);
  return biased.map((w) => w / sum);
}

/** An index drawn with the given weights (summing to 1). */
function pickWeighted(rng: Rng, weights: readonly number[]): number {
  let u = rng();
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i] ?? 0;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

function simulatedHour(appid: string, date: string, hour: number, plan: DayPlan, p: Required<SimulatorProfile>): SimHourlyRow {
  const share = plan.shape[hour] ?? 0;
  const load = share / Math.max(...plan.shape); // 0..1: how busy this hour is for the day
  const incident = plan.incidentHour === hour;
  const rng = rngFor(appid, date, hour, 'hour');

  const expected = plan.quiet.has(hour) ? 0 : plan.volume * share * uniform(rng, 0.85, 1.15);
  const callbacks = poisson(rngFor(appid, date, hour, 'callbacks'), expected);

  let failRate = p.failureRatio * (0.5 + load) * uniform(rng, 0.4, 1.6);
  if (incident) failRate *= uniform(rng, 8, 25);
  const fails = binomial(rngFor(appid, date, hour, 'fails'), callbacks, Math.min(1, failRate));
  // Some failures are the account's server not answering within 5 s; the rest fail fast.
  const timeouts = binomial(rngFor(appid, date, hour, 'timeouts'), fails, incident ? 0.8 : 0.2);

  let averageMs = p.latencyMs * (0.75 + 0.5 * load) * uniform(rng, 0.85, 1.2);
  if (incident) averageMs *= uniform(rng, 1.8, 3.5);
  const answered = callbacks - timeouts;
  const answeredTotal = Math.round(answered * averageMs);
  let answeredMax = 0;
  if (answered === 1) answeredMax = answeredTotal;
  else if (answered > 1) {
    const slowest = Math.min(REPLY_TIMEOUT_MS - 1, Math.round(averageMs * uniform(rng, 2.5, 6)));
    answeredMax = Math.min(answeredTotal, Math.max(Math.ceil(answeredTotal / answered), slowest));
  }

  let timeoutTotal = 0;
  let timeoutMax = 0;
  if (timeouts > 0) {
    const overrun = uniformInt(rng, 1, 60); // the slowest timed-out callback, in ms past 5000
    timeoutMax = REPLY_TIMEOUT_MS + overrun;
    timeoutTotal = timeouts * REPLY_TIMEOUT_MS + overrun + Math.round((timeouts - 1) * overrun * rng());
  }

  return {
    ref_date: date,
    ref_hour: hour,
    callback_count: callbacks,
    fail_count: fails,
    total_time_cost: answeredTotal + timeoutTotal,
    max_time_cost: Math.max(answeredMax, timeoutMax),
  };
}

/**
 * The hourly rows WeChat would list for `appid` on `date` (a Beijing date): hours without any
 * callback are omitted, the rest sorted by hour, `ref_hour` 0..23.
 */
export function simulatedHours(appid: string, date: string, profile?: SimulatorProfile): SimHourlyRow[] {
  if (!isBeijingDate(date)) throw new TypeError(`simulatedHours: not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const p = resolveProfile(profile);
  const plan = planDay(appid, date, p.dailyCallbacks);
  const rows: SimHourlyRow[] = [];
  for (let hour = 0; hour < 24; hour++) {
    const row = simulatedHour(appid, date, hour, plan, p);
    if (row.callback_count > 0) rows.push(row);
  }
  return rows;
}

/**
 * The daily row: the exact aggregate of `simulatedHours` (sums, and the largest max_time_cost).
 * All zeros for a day without traffic, which WeChat does not list.
 */
export function simulatedDay(appid: string, date: string, profile?: SimulatorProfile): SimDailyRow {
  let callbacks = 0;
  let fails = 0;
  let total = 0;
  let max = 0;
  for (const row of simulatedHours(appid, date, profile)) {
    callbacks += row.callback_count;
    fails += row.fail_count;
    total += row.total_time_cost;
    max = Math.max(max, row.max_time_cost);
  }
  return { ref_date: date, callback_count: callbacks, fail_count: fails, total_time_cost: total, max_time_cost: max };
}

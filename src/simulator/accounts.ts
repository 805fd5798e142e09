/** The accounts the simulator knows, with their traffic profile and configurable behaviour. */
import { resolveProfile } from './traffic.js';
import { DEFAULT_SETTINGS, type AccountSettings, type SimulatorAccount, type SimulatorProfile } from './types.js';

export interface SimulatedAccount {
  readonly appid: string;
  /** Changed by `rotateSecret` (the operator resets the appsecret on the WeChat platform). */
  secret: string;
  readonly profile: Required<SimulatorProfile>;
  settings: AccountSettings;
}

export class AccountBook {
  readonly #accounts = new Map<string, SimulatedAccount>();

  add(account: SimulatorAccount): void {
    if (typeof account?.appid !== 'string' || account.appid === '') {
      throw new TypeError(`simulator: an account needs a non-empty appid, got ${JSON.stringify(account?.appid)}`);
    }
    if (typeof account.secret !== 'string' || account.secret === '') {
      throw new TypeError(`simulator: account ${account.appid} needs a non-empty secret`);
    }
    if (this.#accounts.has(account.appid)) throw new TypeError(`simulator: duplicate account ${account.appid}`);
    this.#accounts.set(account.appid, {
      appid: account.appid,
      secret: account.secret,
      profile: resolveProfile(account.profile),
      settings: DEFAULT_SETTINGS,
    });
  }

  get(appid: string | undefined): SimulatedAccount | undefined {
    return appid === undefined ? undefined : this.#accounts.get(appid);
  }

  rotateSecret(appid: string, secret: string): void {
    const account = this.#accounts.get(appid);
    if (!account) throw new TypeError(`simulator.rotateSecret: unknown account ${JSON.stringify(appid)}`);
    if (typeof secret !== 'string' || secret === '') throw new TypeError('simulator.rotateSecret: the secret must be a non-empty string');
    account.secret = secret;
  }

  configure(appid: string, settings: Partial<AccountSettings>): void {
    const account = this.#accounts.get(appid);
    if (!account) throw new TypeError(`simulator.configure: unknown account ${JSON.stringify(appid)}`);
    const merged: AccountSettings = { ...account.settings, ...definedOnly(settings) };
    validateSettings(merged);
    account.settings = merged;
  }
}

function definedOnly(settings: Partial<AccountSettings>): Partial<AccountSettings> {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

function validateSettings(s: AccountSettings): void {
  const bad = (field: keyof AccountSettings, want: string): never => {
    throw new TypeError(`simulator.configure: ${field} must be ${want}, got ${JSON.stringify(s[field])}`);
  };
  if (s.hourEncoding !== 'plain' && s.hourEncoding !== 'hundreds') bad('hourEncoding', "'plain' or 'hundreds'");
  if (typeof s.extraRowsFromOtherDates !== 'boolean') bad('extraRowsFromOtherDates', 'a boolean');
  if (typeof s.ipWhitelisted !== 'boolean') bad('ipWhitelisted', 'a boolean');
  if (typeof s.apiAuthorized !== 'boolean') bad('apiAuthorized', 'a boolean');
  if (!(s.dailyQuota === Infinity || (Number.isInteger(s.dailyQuota) && s.dailyQuota >= 0))) {
    bad('dailyQuota', 'an integer >= 0 or Infinity');
  }
  if (!(typeof s.readyHour === 'number' && s.readyHour >= 0 && s.readyHour <= 24)) bad('readyHour', 'a number within 0..24');
}

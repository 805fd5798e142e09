/** The WeChat API simulator: what `--demo` runs and what the exporter's tests talk to. */
export { WechatSimulator } from './simulator.js';
export { DEFAULT_PROFILE, simulatedDay, simulatedHours } from './traffic.js';
export { dateRangeErrcode, MAX_SPAN_DAYS } from './datacube-api.js';
export { CLASSIC_GRACE_MS } from './tokens.js';
export { DEFAULT_SETTINGS } from './types.js';
export type {
  AccountSettings,
  Fault,
  FaultOptions,
  SimApi,
  SimDailyRow,
  SimHourlyRow,
  SimulatorAccount,
  SimulatorCall,
  SimulatorOptions,
  SimulatorProfile,
} from './types.js';

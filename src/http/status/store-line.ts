import type { StoreReport } from '../../store/retention-runner.js';
import { describeRetention, formatBytes } from '../../store/retention.js';
import { escapeHtml } from './format.js';

/**
 * The status page's store line: its size, oldest day and free space, and the retention, so that
 * an operator sees a filling volume before WechatExporterStoreFillingUp fires.
 */
export function storeLine(store: StoreReport | undefined): string {
  if (!store) return '';
  const oldest = store.oldestDay === undefined ? 'empty' : `oldest day ${escapeHtml(store.oldestDay)}`;
  const fs = store.filesystem;
  const space = fs ? `; ${formatBytes(fs.availBytes)} free of ${formatBytes(fs.sizeBytes)} on its filesystem` : '';
  const pruned = store.prunedDays > 0 ? `, ${store.prunedDays} account-days deleted since the start` : '';
  return `<p id="store">Store: ${formatBytes(store.sizeBytes)}, ${oldest} (retention ${escapeHtml(describeRetention(store.retention))}${pruned})${space}.</p>\n`;
}

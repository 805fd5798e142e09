import { fileURLToPath } from 'node:url';

/** The chart's values schema, rewritten by `npm run gen:schema`. */
export const VALUES_SCHEMA = fileURLToPath(new URL('../helm/wechat-interface-exporter/values.schema.json', import.meta.url));

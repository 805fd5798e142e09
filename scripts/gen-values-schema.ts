/** `npm run gen:schema`: rewrites the chart's values.schema.json from the config schema (see values-schema.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { VALUES_SCHEMA } from './gen-values-schema-path.js';
import { renderValuesSchema } from './values-schema.js';

const before = readFileSync(VALUES_SCHEMA, 'utf8');
const after = renderValuesSchema(before);
writeFileSync(VALUES_SCHEMA, after);
console.log(before === after ? 'values.schema.json: up to date' : 'values.schema.json: regenerated');

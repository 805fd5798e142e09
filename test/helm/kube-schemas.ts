// Validation of rendered objects against the Kubernetes OpenAPI schemas (npm kubernetes-models) and
// the prometheus-operator CRD schemas (@kubernetes-models/prometheus-operator), through each model's
// validate(). Every model of both packages is registered by apiVersion and kind, so whatever kind
// the chart starts to render is validated, and a kind with no schema is a problem, not a pass.
// (Like the API server's schemas they check types, formats, patterns and required fields; unknown
// fields are not reported: the OpenAPI schemas do not close their objects.)
import * as operator from '@kubernetes-models/prometheus-operator';
import * as kubernetes from 'kubernetes-models';
import { describeObject, type KubeObject } from './helm.js';

interface KubeModel {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: object): { validate(): void };
}

const isModel = (v: unknown): v is KubeModel =>
  typeof v === 'function' && typeof (v as { apiVersion?: unknown }).apiVersion === 'string' && typeof (v as { kind?: unknown }).kind === 'string';

/** Walks the packages' namespaces (group → version → model) and indexes the models. */
function indexModels(namespace: object, into: Map<string, KubeModel>, depth = 0): Map<string, KubeModel> {
  for (const value of Object.values(namespace)) {
    if (isModel(value)) into.set(`${value.apiVersion}/${value.kind}`, value);
    else if (typeof value === 'object' && value !== null && depth < 3) indexModels(value as object, into, depth + 1);
  }
  return into;
}

const MODELS = indexModels(operator, indexModels(kubernetes, new Map()));

/** The number of apiVersion/kind pairs with a schema (more than 200). */
export const modelCount = (): number => MODELS.size;

/**
 * The schema problems of one object, each naming the object and the field path (e.g.
 * "Deployment/x: spec/replicas must be integer"); [] when it is valid.
 */
export function kubeSchemaProblems(obj: KubeObject): string[] {
  const what = describeObject(obj);
  const model = MODELS.get(`${String(obj.apiVersion)}/${String(obj.kind)}`);
  if (!model) return [`${what}: no schema for apiVersion ${String(obj.apiVersion)} kind ${String(obj.kind)}`];
  try {
    new model(obj).validate();
    return [];
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // The validator writes "data/spec/replicas must be integer, data/...": one problem per field.
    return message.split(/, (?=data\/|data )/).map((m) => `${what}: ${m.replace(/^data\/?/, '')}`);
  }
}

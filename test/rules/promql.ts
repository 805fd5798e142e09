/**
 * PromQL read with Prometheus' own lezer grammar (@prometheus-io/lezer-promql, the parser of
 * Prometheus' web UI), for the dashboard lint rules: syntax errors, selectors with their
 * matchers, and the nodes around each selector.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

export interface Matcher {
  readonly label: string;
  readonly op: string;
  readonly value: string;
}

export interface Selector {
  /** The metric name, or '' for a selector by matchers only. */
  readonly name: string;
  readonly matchers: readonly Matcher[];
  /** Source offsets of the selector, for error messages and rewriting. */
  readonly from: number;
  readonly to: number;
  /** Node names from the root down to the selector's parent (MatrixSelector, FunctionCallBody, FunctionCall...). */
  readonly parents: readonly string[];
  /** The function a range selector is the argument of (`rate`, `last_over_time`), if any. */
  readonly rangeFunction?: string | undefined;
  /** The range of a range selector as written, if any. */
  readonly range?: string | undefined;
}

function* walk(node: SyntaxNode, parents: SyntaxNode[] = []): Generator<[SyntaxNode, SyntaxNode[]]> {
  yield [node, parents];
  for (let child = node.firstChild; child; child = child.nextSibling) yield* walk(child, [...parents, node]);
}

/** Syntax errors of `expr` as `offset: text`, none when it parses. */
export function syntaxErrors(expr: string): string[] {
  const out: string[] = [];
  for (const [node] of walk(parser.parse(expr).topNode)) {
    if (node.type.isError) out.push(`${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
  }
  return out;
}

/** PromQL string literals are Go-style quoted; the dashboards use double quotes. */
function unquote(literal: string): string {
  if (literal.startsWith('"')) return JSON.parse(literal) as string;
  return literal.slice(1, -1);
}

function matchersOf(node: SyntaxNode, expr: string): Matcher[] {
  const list = node.getChild('LabelMatchers');
  if (!list) return [];
  const out: Matcher[] = [];
  for (let m = list.firstChild; m; m = m.nextSibling) {
    const label = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
    const op = m.getChild('MatchOp');
    const value = m.getChild('StringLiteral');
    if (label && op && value) {
      out.push({
        label: expr.slice(label.from, label.to),
        op: expr.slice(op.from, op.to),
        value: unquote(expr.slice(value.from, value.to)),
      });
    }
  }
  return out;
}

/** Every vector selector of `expr` (also those inside range selectors and subqueries). */
export function selectorsOf(expr: string): Selector[] {
  const out: Selector[] = [];
  for (const [node, parents] of walk(parser.parse(expr).topNode)) {
    if (node.name !== 'VectorSelector') continue;
    const id = node.getChild('Identifier');
    const parent = parents.at(-1);
    let rangeFunction: string | undefined;
    let range: string | undefined;
    if (parent?.name === 'MatrixSelector') {
      const duration = parent.lastChild;
      if (duration) range = expr.slice(duration.from, duration.to);
      // `x[1h] offset 1w` puts an OffsetExpr between the range and the call.
      let j = parents.length - 2;
      while (parents[j]?.name === 'OffsetExpr') j--;
      const call = parents[j - 1];
      if (parents[j]?.name === 'FunctionCallBody' && call?.name === 'FunctionCall') {
        const fn = call.getChild('FunctionIdentifier');
        if (fn) rangeFunction = expr.slice(fn.from, fn.to);
      }
    }
    out.push({
      name: id ? expr.slice(id.from, id.to) : '',
      matchers: matchersOf(node, expr),
      from: node.from,
      to: node.to,
      parents: parents.map((p) => p.name),
      rangeFunction,
      range,
    });
  }
  return out;
}

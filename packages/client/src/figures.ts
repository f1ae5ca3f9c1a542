/**
 * Plots as SVG without a browser: a Vega-Lite spec is compiled to Vega and rendered headless
 * (`renderer: 'none'`, `toSVG()`); without node-canvas text widths are estimated, which only affects
 * label layout. The plot builders used by autolog live in autolog/plots.ts.
 *
 * Compiling is cached per spec shape (issue 8, autolog overhead): a plot kind drawn again with other
 * numbers (every autologged fit draws the same few kinds) only differs in its inline `data.values`.
 * So the spec is compiled (Vega-Lite → Vega) and parsed (Vega → runtime dataflow description) once
 * with a placeholder per inline dataset, and each render hands the real values to the parsed
 * description's `$ingest` operators — the very place Vega would have put them, so the values go
 * through Vega's ordinary ingestion and the SVG is the same as from a fresh compile (tested).
 * Measured on the tuning bench's plots: compile + parse were ~40 % of a plot's CPU.
 *
 * Vega and Vega-Lite are imported on first use (~0.3 s of CPU): every `cauce` command loads this package,
 * and most never draw. `autolog()` starts the import in the background when it is turned on.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { View } from 'vega';
import { ClientError } from './http/errors.js';

export type VegaLiteSpec = TopLevelSpec;

/** What is used of the two packages. */
interface VegaModules {
  compile: (spec: VegaLiteSpec) => { spec: unknown };
  parse: (spec: never) => unknown;
  View: new (runtime: never, options: object) => View;
  runtimeContext?: (...args: unknown[]) => { expr?: Codegen };
}

let loading: Promise<VegaModules> | undefined;

function loadVega(): Promise<VegaModules> {
  loading ??= Promise.all([import('vega'), import('vega-lite')]).then(
    ([vega, vl]) =>
      ({
        compile: vl.compile,
        parse: vega.parse,
        View: vega.View,
        runtimeContext: (vega as { runtimeContext?: VegaModules['runtimeContext'] }).runtimeContext,
      }) as unknown as VegaModules,
  );
  // a failed import is not cached: the next plot tries again (and reports the error)
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/** Starts importing Vega in the background, so the first plot does not wait for it (autolog calls this). */
export function preloadFigures(): void {
  loadVega().catch(() => undefined);
}

/** Marks a placeholder dataset; the index says which of the spec's inline datasets it stands for. */
const PLACEHOLDER = '__cauce_dataset__';

/** A parsed Vega runtime description: operators, some of which ingest inline data. */
interface Runtime {
  operators: Array<{ value?: unknown } & Record<string, unknown>>;
  [key: string]: unknown;
}

interface Compiled {
  runtime: Runtime;
  /** operators[index] ingests the spec's inline dataset number `dataset`. */
  slots: Array<{ index: number; dataset: number }>;
}

/** Compiled shapes, oldest first; small because autolog draws a handful of kinds. */
const cache = new Map<string, Compiled | null>();
const CACHE_SIZE = 32;

/**
 * Only `{ values: [rows] }` with rows as plain objects is swapped for a placeholder: Vega-Lite rewrites
 * other inline data while compiling (primitives are wrapped as `{data: v}`, a `format` may be turned into
 * transforms), so those specs keep their data and are compiled as they are.
 */
function isPlainRows(data: unknown, values: unknown): values is unknown[] {
  return (
    Array.isArray(values) &&
    Object.keys(data as object).length === 1 &&
    values.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))
  );
}

/**
 * Replaces every inline `data: { values: [...] }` (top level, layers, nested views) by a placeholder;
 * returns the stripped spec (its JSON is the cache key) and the datasets in placeholder order.
 */
function stripData(spec: unknown, datasets: unknown[][]): unknown {
  if (Array.isArray(spec)) return spec.map((s) => stripData(s, datasets));
  if (typeof spec !== 'object' || spec === null) return spec;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) {
    const values = (v as { values?: unknown } | null)?.values;
    if (k === 'data' && isPlainRows(v, values)) {
      out[k] = { values: [{ [PLACEHOLDER]: datasets.length }] };
      datasets.push(values);
    } else {
      out[k] = stripData(v, datasets);
    }
  }
  return out;
}

function compileToRuntime(vg: VegaModules, spec: VegaLiteSpec): Runtime {
  try {
    return vg.parse(vg.compile(spec).spec as never) as Runtime;
  } catch (err) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `the Vega-Lite spec does not compile: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
}

/** Where the placeholders ended up, or null when not every dataset has exactly one `$ingest` slot. */
function findSlots(runtime: Runtime, count: number): Compiled['slots'] | null {
  const slots: Compiled['slots'] = [];
  runtime.operators.forEach((op, index) => {
    const ingest = (op.value as { $ingest?: unknown } | undefined)?.$ingest;
    const first =
      Array.isArray(ingest) && ingest.length === 1 ? (ingest[0] as Record<string, unknown>) : null;
    const dataset = first?.[PLACEHOLDER];
    if (typeof dataset === 'number') slots.push({ index, dataset });
  });
  const seen = new Set(slots.map((s) => s.dataset));
  return slots.length === count && seen.size === count ? slots : null;
}

function runtimeFor(vg: VegaModules, spec: VegaLiteSpec): Runtime {
  const datasets: unknown[][] = [];
  const stripped = stripData(spec, datasets);
  const key = JSON.stringify(stripped);
  let compiled = cache.get(key);
  if (compiled === undefined) {
    const runtime = compileToRuntime(vg, stripped as VegaLiteSpec);
    const slots = findSlots(runtime, datasets.length);
    compiled = slots ? { runtime, slots } : null;
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, compiled);
  }
  // a shape whose data Vega does not take in as plain `$ingest` values is compiled every time
  if (compiled === null) return compileToRuntime(vg, spec);
  const operators = compiled.runtime.operators.slice();
  for (const { index, dataset } of compiled.slots) {
    const op = operators[index]!;
    operators[index] = { ...op, value: { ...(op.value as object), $ingest: datasets[dataset] } };
  }
  return { ...compiled.runtime, operators };
}

/** A function Vega generated from a spec's expression; `this` is the view's expression function table. */
type ExprFn = (...args: unknown[]) => unknown;
/** Vega's expression code generator (vega-runtime), as far as the cache below uses it. */
type ExprKind = 'operator' | 'parameter' | 'event' | 'handler' | 'encode';
type Generate = (ctx: { functions?: object } | undefined, e: { code?: unknown }) => ExprFn;
type Codegen = Record<ExprKind, Generate> & { codegen: unknown };

/**
 * Vega's own expression code generator with its generated functions cached by their code (issue 8).
 * Every View turns each expression of the spec (encoders, filters, formulas, signal updates) into a new
 * `Function(...)`, so without this every plot compiled them again and ran them cold, never long enough
 * to be optimised. The code strings say everything the function does; the view-specific part is only
 * `this` (the view's expression functions: scales, formats), which Vega binds per view — so the cache
 * keeps the unbound functions and binds them to each view, exactly as Vega does. Field accessors and
 * comparators (`codegen`) stay Vega's (their objects carry per-use names).
 */
let cachingCodegen: Codegen | null | undefined;
function expressionCodegen(vg: VegaModules): Codegen | undefined {
  if (cachingCodegen !== undefined) return cachingCodegen ?? undefined;
  // the default generator, as a fresh runtime context holds it (vega exports `runtimeContext`); should a
  // Vega version not have it, views keep their default generator
  let base: Codegen | undefined;
  try {
    base = vg.runtimeContext?.({ events: () => undefined }, {}, undefined, undefined).expr;
  } catch {
    base = undefined;
  }
  if (!base || typeof base.encode !== 'function' || typeof base.parameter !== 'function') {
    cachingCodegen = null;
    return undefined;
  }
  const gen = base;
  const compiled = new Map<string, ExprFn>();
  const cached =
    (kind: ExprKind): Generate =>
    (ctx, e) => {
      const key = `${kind}\u0000${typeof e.code === 'string' ? e.code : JSON.stringify(e)}`;
      let fn = compiled.get(key);
      if (fn === undefined) {
        fn = gen[kind](undefined, e); // without a context Vega returns the function unbound
        if (compiled.size > 5000) compiled.clear();
        compiled.set(key, fn);
      }
      return ctx?.functions ? fn.bind(ctx.functions) : fn;
    };
  cachingCodegen = {
    operator: cached('operator'),
    parameter: cached('parameter'),
    event: cached('event'),
    handler: cached('handler'),
    encode: cached('encode'),
    codegen: gen.codegen,
  };
  return cachingCodegen;
}

export async function figureToSvg(spec: VegaLiteSpec): Promise<string> {
  const vg = await loadVega();
  const runtime = runtimeFor(vg, spec);
  let view: View;
  try {
    view = new vg.View(runtime as never, { renderer: 'none', expr: expressionCodegen(vg) });
  } catch (err) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `the Vega spec cannot run: ${(err as Error).message}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

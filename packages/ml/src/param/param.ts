/**
 * Params declared as data (Spark ML's `Param`/`Params`, pyspark.ml.param): each stage declares its params
 * from specs (name, doc, type, validator, default), and every value is checked when it is set, with an
 * error that names the stage, the param and the bad value.
 */
import { MLError, showValue } from '../util/errors.js';
import type { Validator } from './validators.js';

/** The JSON-representable kinds a param may hold; 'object' is for stage-valued params saved by hand. */
export type ParamType =
  'number' | 'int' | 'string' | 'boolean' | 'number[]' | 'int[]' | 'string[]' | 'number[][]' | 'object';

/** A param's declaration: the data a stage's param is made from. Shared specs live in `shared.ts`. */
export interface ParamSpec<T> {
  name: string;
  doc: string;
  type: ParamType;
  validator?: Validator<T> | undefined;
  /** The default value; absent means "unset until the user sets it" (Spark's `None`). */
  default?: T | undefined;
}

/** Anything that owns params: only its uid matters to a Param. */
export interface ParamOwner {
  readonly uid: string;
}

/** A param bound to one stage (its `parent` is the stage's uid), as in Spark. */
export class Param<T> {
  readonly spec: ParamSpec<T>;
  readonly #owner: ParamOwner;

  constructor(owner: ParamOwner, spec: ParamSpec<T>) {
    this.#owner = owner;
    this.spec = spec;
  }

  get parent(): string {
    return this.#owner.uid;
  }
  get name(): string {
    return this.spec.name;
  }
  get doc(): string {
    return this.spec.doc;
  }
  /** `parent__name`, the key Spark uses too. */
  toString(): string {
    return `${this.parent}__${this.name}`;
  }
}

/** A set of (param → value) pairs, possibly for several stages (grids, `fit(frame, paramMap)`). */
export class ParamMap {
  readonly #pairs = new Map<string, { param: Param<unknown>; value: unknown }>();

  put<T>(param: Param<T>, value: T): this {
    this.#pairs.set(param.toString(), { param: param as Param<unknown>, value });
    return this;
  }
  get<T>(param: Param<T>): T | undefined {
    return this.#pairs.get(param.toString())?.value as T | undefined;
  }
  has(param: Param<unknown>): boolean {
    return this.#pairs.has(param.toString());
  }
  remove(param: Param<unknown>): boolean {
    return this.#pairs.delete(param.toString());
  }
  get size(): number {
    return this.#pairs.size;
  }
  entries(): Array<{ param: Param<unknown>; value: unknown }> {
    return [...this.#pairs.values()];
  }
  /** Pairs of `other` override pairs of this one. */
  merge(other: ParamMap | undefined): ParamMap {
    const out = this.copy();
    if (other) for (const { param, value } of other.entries()) out.put(param, value);
    return out;
  }
  copy(): ParamMap {
    const out = new ParamMap();
    for (const { param, value } of this.entries()) out.put(param, value);
    return out;
  }
  toString(): string {
    return `{${this.entries()
      .map(({ param, value }) => `${param.toString()}: ${showValue(value)}`)
      .join(', ')}}`;
  }
}

function typeOk(type: ParamType, v: unknown): boolean {
  switch (type) {
    case 'number':
      return typeof v === 'number';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'number[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'number');
    case 'int[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x));
    case 'string[]':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'number[][]':
      return Array.isArray(v) && v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'));
    case 'object':
      return v !== undefined;
  }
}

const typeWords: Record<ParamType, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'a boolean',
  'number[]': 'an array of numbers',
  'int[]': 'an array of integers',
  'string[]': 'an array of strings',
  'number[][]': 'an array of arrays of numbers',
  object: 'a value',
};

/** Copies arrays so that a caller mutating its array later cannot change a stage's params. */
function own(v: unknown): unknown {
  if (Array.isArray(v)) return Object.freeze(v.map((x: unknown) => own(x)));
  return v;
}

function uidSuffix(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 12);
}

/** Upper-cases the first letter: `regParam` → `RegParam` (for the `setRegParam` hint). */
export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Base of every stage and evaluator. Subclasses declare params as fields:
 * `readonly regParam = this.declare(regParamSpec);` and add Spark-style `setRegParam`/`getRegParam`.
 */
export abstract class Params implements ParamOwner {
  // TS-private (not #private) so that copy() can clone an instance without running its constructor.
  private _uid: string;
  private _declared = new Map<string, Param<unknown>>();
  private _values = new Map<string, unknown>();

  constructor(uid?: string) {
    this._uid = uid ?? `${this.constructor.name}_${uidSuffix()}`;
  }

  /** Unique id of this stage: `ClassName_<12 hex>`; kept by `copy()` and by save → load. */
  get uid(): string {
    return this._uid;
  }

  /**
   * Restores the uid of a loaded stage.
   * @internal used by io/ when loading; params stay bound because they read the uid through the owner.
   */
  _restoreUid(uid: string): void {
    this._uid = uid;
  }

  /** Declares a param on this stage from its spec. Call from field initializers. */
  protected declare<T>(spec: ParamSpec<T>): Param<T> {
    if (this._declared.has(spec.name)) {
      throw new Error(`${this.constructor.name}: param '${spec.name}' declared twice`);
    }
    const p = new Param<T>(this, spec);
    this._declared.set(spec.name, p as Param<unknown>);
    return p;
  }

  /** All declared params, in declaration order. */
  get params(): Array<Param<unknown>> {
    return [...this._declared.values()];
  }

  hasParam(name: string): boolean {
    return this._declared.has(name);
  }

  getParam(name: string): Param<unknown> {
    const p = this._declared.get(name);
    if (!p) {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid} has no param '${name}'; its params are: ${[...this._declared.keys()].join(', ')}`,
        { stage: this.uid, param: name },
      );
    }
    return p;
  }

  /** The error for a bad value of `param`: names stage, param, value and the rule. */
  protected invalid(param: string, value: unknown, expect: string): MLError {
    return new MLError(
      'INVALID_PARAM',
      `${this.uid}: param ${param} must be ${expect}, got ${showValue(value)}`,
      {
        stage: this.uid,
        param,
      },
    );
  }

  /** Checks a value against a param's type and validator, throwing INVALID_PARAM. */
  validateValue<T>(param: Param<T>, value: unknown): T {
    const spec = param.spec;
    if (!typeOk(spec.type, value)) throw this.invalid(spec.name, value, typeWords[spec.type]);
    if (spec.validator && !spec.validator.test(value as T))
      throw this.invalid(spec.name, value, spec.validator.expect);
    return value as T;
  }

  private _own(param: Param<unknown>): void {
    if (param.parent !== this.uid || !this._declared.has(param.name)) {
      throw new MLError('INVALID_PARAM', `param ${param.toString()} does not belong to stage ${this.uid}`, {
        stage: this.uid,
        param: param.name,
        hint: `use this stage's own param, e.g. stage.${param.name}`,
      });
    }
  }

  /** Sets a param after checking its type and validator. */
  set<T>(param: Param<T> | string, value: T): this {
    const p = typeof param === 'string' ? this.getParam(param) : (param as Param<unknown>);
    this._own(p);
    this._values.set(p.name, own(this.validateValue(p, value)));
    return this;
  }

  /** Sets several params by name: `stage.setParams({ regParam: 0.1, maxIter: 50 })`. Unknown names are errors. */
  setParams(values: object): this {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) continue;
      this.set(this.getParam(name), value as unknown);
    }
    return this;
  }

  /** Removes an explicitly set value (the default applies again). */
  clear(param: Param<unknown>): this {
    this._own(param);
    this._values.delete(param.name);
    return this;
  }

  isSet(param: Param<unknown>): boolean {
    return this._values.has(param.name);
  }
  hasDefault(param: Param<unknown>): boolean {
    return param.spec.default !== undefined;
  }
  /** Set explicitly or has a default. */
  isDefined(param: Param<unknown>): boolean {
    return this.isSet(param) || this.hasDefault(param);
  }

  /** The value set, else the default, else undefined. */
  get<T>(param: Param<T>): T | undefined {
    this._own(param as Param<unknown>);
    return (this._values.has(param.name) ? this._values.get(param.name) : param.spec.default) as
      T | undefined;
  }

  /** The value set, else the default; an unset param without default is an INVALID_PARAM error. */
  getOrDefault<T>(param: Param<T>): T {
    const v = this.get(param);
    if (v === undefined) {
      throw new MLError('INVALID_PARAM', `${this.uid}: param ${param.name} is not set and has no default`, {
        stage: this.uid,
        param: param.name,
        hint: `call set${capitalize(param.name)}(…) or pass { ${param.name}: … } to the constructor`,
      });
    }
    return v;
  }

  /** Defaults, then set values, then `extra` (only pairs that belong to this stage). */
  extractParamMap(extra?: ParamMap): ParamMap {
    const out = new ParamMap();
    for (const p of this._declared.values()) {
      const v = this.get(p);
      if (v !== undefined) out.put(p, v);
    }
    if (extra)
      for (const { param, value } of extra.entries()) if (param.parent === this.uid) out.put(param, value);
    return out;
  }

  /** One line per param: `name: doc (default: x, current: y)`, like Spark's explainParams. */
  explainParams(): string {
    return this.params.map((p) => this.explainParam(p)).join('\n');
  }

  explainParam(p: Param<unknown>): string {
    const parts: string[] = [];
    if (p.spec.default !== undefined) parts.push(`default: ${showValue(p.spec.default)}`);
    if (this.isSet(p)) parts.push(`current: ${showValue(this._values.get(p.name))}`);
    const rule = p.spec.validator ? ` Must be ${p.spec.validator.expect}.` : '';
    const doc = /[.!?]$/.test(p.doc) ? p.doc : `${p.doc}.`;
    return `${p.name}: ${doc}${rule} (${parts.length ? parts.join(', ') : 'undefined'})`;
  }

  /**
   * A copy with the same uid and params, plus `extra` (pairs that belong to this stage). Shallow: fitted
   * arrays are shared, which is safe because fitted models never mutate them. Stages that hold other
   * stages (Pipeline) override this to copy those too.
   */
  copy(extra?: ParamMap): this {
    const that = Object.assign(Object.create(Object.getPrototypeOf(this) as object) as this, this);
    that._uid = this._uid;
    that._declared = this._declared;
    that._values = new Map(this._values);
    if (extra)
      for (const { param, value } of extra.entries()) if (param.parent === this.uid) that.set(param, value);
    return that;
  }

  /** Explicitly set values by name (what save/load persists besides defaults). @internal */
  _setValues(): Record<string, unknown> {
    return Object.fromEntries(this._values);
  }
}

/**
 * The non-empty string values (set, else default) of the params `names` on the `owners` that have them —
 * e.g. the columns a pipeline's stages name as label or prediction.
 */
export function stringParamValues(
  owners: Iterable<Params | object | undefined>,
  names: readonly string[],
): Set<string> {
  const out = new Set<string>();
  for (const candidate of owners) {
    // by shape, not instanceof: a stage may come from another copy of this package (source and dist)
    if (typeof (candidate as Params | undefined)?.hasParam !== 'function') continue;
    const owner = candidate as Params;
    for (const name of names) {
      if (!owner.hasParam(name)) continue;
      const v = owner.get(owner.getParam(name));
      if (typeof v === 'string' && v !== '') out.add(v);
    }
  }
  return out;
}

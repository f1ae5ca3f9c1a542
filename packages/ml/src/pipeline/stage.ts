/**
 * The stage contract (Spark ML's PipelineStage / Transformer / Estimator / Model).
 *
 * - `transformSchema(schema)` checks params against the input columns and returns the output schema,
 *   without touching data. `fit` and `transform` call it first, and `Pipeline.fit` calls it for every
 *   stage before any numeric work, so a wrong column fails in milliseconds with a clear message.
 * - `fit` and `transform` are async: stages may use worker threads or DuckDB (SQLTransformer lives in
 *   @cauce/data). Subclasses implement `_fit` / `_transform`, sync or async.
 */
import type { Frame } from '@cauce/frame';
import { saveStage, loadStage, type SaveOptions } from '../io/fs.js';
import type { StageWriter } from '../io/format.js';
import { classNameOf } from '../io/registry.js';
import { Params, type ParamMap } from '../param/param.js';
import type { Schema } from '../util/schema.js';
import { MLError } from '../util/errors.js';
import { mlEvents } from './events.js';

type AbstractCtor<T> = abstract new (...args: never[]) => T;

/**
 * Plain-JavaScript callers can pass anything; a clear error beats "cannot read properties of undefined".
 * Duck-typed so that frames from another copy of @cauce/frame (dist vs source) are accepted.
 */
export function requireFrame(stage: string, frame: unknown, method: string): asserts frame is Frame {
  const f = frame as Partial<Frame> | null | undefined;
  if (!f || typeof f !== 'object' || !Array.isArray(f.schema) || typeof f.column !== 'function') {
    const got = frame === null ? 'null' : Array.isArray(frame) ? 'an array' : typeof frame;
    throw new MLError('INVALID_DATA', `${stage}: ${method} expects a Frame, got ${got}`, {
      stage,
      hint: 'build one with Frame.fromColumns({...}) or Frame.fromRows([...]) from @cauce/frame, or read one with @cauce/data',
    });
  }
}

export abstract class PipelineStage extends Params {
  /**
   * Checks params and input columns and returns the output schema (no data is read). Throws
   * SCHEMA_MISMATCH / INVALID_PARAM naming the stage, param and column.
   */
  abstract transformSchema(schema: Schema): Schema;

  /**
   * Writes this stage's own data (fitted numbers, nested stages) for save(); params are written for you.
   * Override in models; the default writes nothing.
   */
  writeData(_w: StageWriter): void {}

  /** Saves into directory `dir` (see docs/decisions/0004-model-save-format.md). */
  save(dir: string, options?: SaveOptions): Promise<void> {
    return saveStage(this, dir, options);
  }

  /** `StandardScalerModel.load(dir)`: loads a saved stage and checks it is of this class. */
  static load<T extends PipelineStage>(this: AbstractCtor<T>, dir: string): Promise<T> {
    return loadStage(dir, this);
  }

  override toString(): string {
    return this.uid;
  }
}

export abstract class Transformer extends PipelineStage {
  /** Applies the stage: validates the schema, then transforms. `paramMap` overrides params for this call. */
  async transform(frame: Frame, paramMap?: ParamMap): Promise<Frame> {
    requireFrame(this.uid, frame, 'transform');
    const t = paramMap ? this.copy(paramMap) : this;
    t.transformSchema(frame.schema);
    return t._transform(frame);
  }

  /** The work of `transform`, called after `transformSchema` passed. */
  protected abstract _transform(frame: Frame): Frame | Promise<Frame>;
}

/** A fitted model: a Transformer that remembers the estimator that produced it. */
export abstract class Model extends Transformer {
  /** The estimator this model was fitted by (with the params in effect), if it came from `fit`. */
  parent: Estimator<Model> | undefined;

  hasParent(): boolean {
    return this.parent !== undefined;
  }

  /**
   * Guard for models that can be constructed empty (e.g. before a loader fills them): throws NOT_FITTED.
   */
  protected requireFitted(ok: boolean, what = 'this model'): void {
    if (!ok) {
      throw new MLError('NOT_FITTED', `${this.uid}: ${what} has not been fitted`, {
        stage: this.uid,
        hint: 'get a model from estimator.fit(frame) or load a saved one',
      });
    }
  }
}

/** What `_fit` gets besides the data: progress reporting and who the enclosing fit is. */
export interface FitContext {
  /** Reports one iteration (fitProgress event). Cheap when nobody listens. */
  progress(iteration: number, loss: number, metrics?: Record<string, number>): void;
  /** Whether anyone listens for progress (skip computing a loss only for reporting when false). */
  readonly reporting: boolean;
  /** uid of this fit, to pass to nested fits as their parentUid. */
  readonly uid: string;
}

export interface FitOptions {
  paramMap?: ParamMap | undefined;
  /** Set by enclosing estimators (Pipeline, CrossValidator) so listeners can nest runs. */
  parentUid?: string | undefined;
}

export abstract class Estimator<M extends Model = Model> extends PipelineStage {
  /**
   * Fits a model: validates params and schema first (transformSchema), reports fitStarted /
   * fitProgress / fitFinished through `mlEvents`, and copies the estimator's params that the model
   * shares (inputCol, outputCol, featuresCol …) onto the model, which also takes the estimator's uid.
   */
  fit(frame: Frame, paramMap?: ParamMap): Promise<M> {
    return this.fitWith(frame, { paramMap });
  }

  /** `fit` with the nesting information enclosing estimators pass. @internal for Pipeline / tuning. */
  async fitWith(frame: Frame, options: FitOptions): Promise<M> {
    requireFrame(this.uid, frame, 'fit');
    const est = options.paramMap ? this.copy(options.paramMap) : this;
    est.transformSchema(frame.schema);
    const className = classNameOf(est);
    const uid = est.uid;
    const parentUid = options.parentUid;
    if (mlEvents.hasListeners('fitStarted')) {
      const params: Record<string, unknown> = {};
      for (const { param, value } of est.extractParamMap().entries()) params[param.name] = value;
      mlEvents.emit({ type: 'fitStarted', uid, className, params, numRows: frame.numRows, parentUid });
    }
    const ctx: FitContext = {
      uid,
      get reporting() {
        return mlEvents.hasListeners('fitProgress');
      },
      progress(iteration, loss, metrics) {
        if (mlEvents.hasListeners('fitProgress')) {
          mlEvents.emit({ type: 'fitProgress', uid, className, iteration, loss, metrics });
        }
      },
    };
    const t0 = Date.now();
    let model: M;
    try {
      model = await est._fit(frame, ctx);
    } catch (error) {
      mlEvents.emit({ type: 'fitFailed', uid, className, parentUid, error });
      throw error;
    }
    model._restoreUid(uid);
    est.copyValuesTo(model);
    model.parent = est;
    mlEvents.emit({ type: 'fitFinished', uid, className, parentUid, durationMs: Date.now() - t0, model });
    return model;
  }

  /** Copies explicitly set params to `target` where it has a param of the same name (Spark's copyValues). */
  protected copyValuesTo(target: Params): void {
    for (const p of this.params) {
      if (p.spec.type === 'object' || !this.isSet(p) || !target.hasParam(p.name)) continue;
      const tp = target.getParam(p.name);
      if (!target.isSet(tp)) target.set(tp, this.get(p));
    }
  }

  /** The work of `fit`, called after `transformSchema` passed. */
  protected abstract _fit(frame: Frame, ctx: FitContext): M | Promise<M>;
}

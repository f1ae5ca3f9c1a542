/**
 * Pipeline and PipelineModel (Spark ML's `Pipeline`): a sequence of stages fitted in order. Before any
 * stage touches data, `transformSchema` runs over the whole chain, so a wrong column in stage 5 fails
 * before stage 1 spends a second fitting.
 */
import type { Frame } from '@cauce/frame';
import type { StageReader, StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamMap, ParamSpec } from '../param/param.js';
import { custom } from '../param/validators.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import type { PipelineStage } from './stage.js';
import { Estimator, Model, Transformer, type FitContext } from './stage.js';

const stagesSpec: ParamSpec<readonly PipelineStage[]> = {
  name: 'stages',
  doc: 'stages of the pipeline, each an Estimator or a Transformer',
  type: 'object',
  validator: custom<readonly PipelineStage[]>(
    (v) =>
      Array.isArray(v) &&
      v.every((s) => s instanceof Estimator || s instanceof Transformer) &&
      new Set(v.map((s) => s.uid)).size === v.length,
    'an array of Estimators and Transformers, each stage (uid) at most once',
  ),
};

function chainSchema(stages: readonly PipelineStage[], schema: Schema): Schema {
  let s = schema;
  for (const st of stages) s = st.transformSchema(s);
  return s;
}

function stageName(i: number, stage: PipelineStage): string {
  return `${String(i).padStart(2, '0')}_${stage.uid}`;
}

export class Pipeline extends Estimator<PipelineModel> {
  readonly stages = this.declare(stagesSpec);

  constructor(params: { stages?: readonly PipelineStage[] } = {}) {
    super();
    this.setParams(params);
  }

  setStages(stages: readonly PipelineStage[]): this {
    return this.set(this.stages, [...stages]);
  }
  getStages(): readonly PipelineStage[] {
    return this.get(this.stages) ?? [];
  }

  transformSchema(schema: Schema): Schema {
    return chainSchema(this.getStages(), schema);
  }

  protected async _fit(frame: Frame, ctx: FitContext): Promise<PipelineModel> {
    const stages = this.getStages();
    let lastEstimator = -1;
    stages.forEach((s, i) => {
      if (s instanceof Estimator) lastEstimator = i;
    });
    const fitted: Transformer[] = [];
    let cur = frame;
    for (let i = 0; i < stages.length; i++) {
      const s = stages[i]!;
      let t: Transformer;
      if (s instanceof Estimator) t = await s.fitWith(cur, { parentUid: ctx.uid });
      else t = s as Transformer;
      fitted.push(t);
      // Spark transforms only up to the last estimator: later stages' output is not needed to fit.
      if (i < lastEstimator) cur = await t.transform(cur);
      ctx.progress(i + 1, NaN);
    }
    return new PipelineModel(fitted);
  }

  /** A copy whose stages are copied too (with `extra` applied to each). */
  override copy(extra?: ParamMap): this {
    const that = super.copy(extra);
    // The stages may come from `extra` itself: copy whichever are now in effect.
    that.set(
      that.stages,
      that.getStages().map((s) => s.copy(extra)),
    );
    return that;
  }

  override writeData(w: StageWriter): void {
    this.getStages().forEach((s, i) => w.stage(stageName(i, s), s));
  }
}

export class PipelineModel extends Model {
  readonly stages: readonly Transformer[];

  constructor(stages: readonly Transformer[]) {
    super();
    for (const [i, s] of stages.entries()) {
      if (!(s instanceof Transformer)) {
        throw new MLError('INVALID_PARAM', `PipelineModel: stage ${i} is not a Transformer (fit it first)`, {
          param: 'stages',
        });
      }
    }
    this.stages = [...stages];
  }

  transformSchema(schema: Schema): Schema {
    return chainSchema(this.stages, schema);
  }

  protected async _transform(frame: Frame): Promise<Frame> {
    let cur = frame;
    for (const s of this.stages) cur = await s.transform(cur);
    return cur;
  }

  override copy(extra?: ParamMap): this {
    const that = super.copy(extra);
    (that as { stages: readonly Transformer[] }).stages = this.stages.map((s) => s.copy(extra));
    return that;
  }

  override writeData(w: StageWriter): void {
    this.stages.forEach((s, i) => w.stage(stageName(i, s), s));
  }
}

async function readStages(r: StageReader): Promise<PipelineStage[]> {
  const out: PipelineStage[] = [];
  for (const name of r.stageNames()) out.push(await r.stage(name));
  return out;
}

registerStage('Pipeline', Pipeline, async (r) => new Pipeline({ stages: await readStages(r) }));
registerStage('PipelineModel', PipelineModel, async (r) => {
  const stages = await readStages(r);
  for (const s of stages) {
    if (!(s instanceof Transformer)) {
      throw new MLError('LOAD_ERROR', `${r.where}: PipelineModel stage ${s.uid} is not a Transformer`);
    }
  }
  return new PipelineModel(stages as Transformer[]);
});

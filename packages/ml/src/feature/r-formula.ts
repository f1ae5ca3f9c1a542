/**
 * RFormula / RFormulaModel (Spark ML `feature.RFormula`): builds the features vector and the label
 * column from an R model formula such as `price ~ area + city + area:rooms - 1`. Numeric, boolean and
 * vector columns enter as they are; string columns are indexed (StringIndexer, stringIndexerOrderType)
 * and one-hot encoded, dropping the last category while the model has an intercept (R's rule: without
 * an intercept the first string term keeps all its categories); inside interactions strings are fully
 * encoded. A string label is indexed; a numeric label is copied to labelCol as float64. The fitted model
 * is an ordinary PipelineModel of those stages plus the label step, so it saves and loads like any stage.
 */
import { float64Column, type Frame } from '@cauce/frame';
import type { StageReader, StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { custom, inArray } from '../param/validators.js';
import { Pipeline, PipelineModel } from '../pipeline/pipeline.js';
import { Estimator, Model, type PipelineStage } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { appendColumn, findField, requireColumn, type Schema } from '../util/schema.js';
import { Interaction } from './interaction.js';
import { OneHotEncoder } from './one-hot-encoder.js';
import { parseFormula } from './r-formula-parser.js';
import { StringIndexer, StringIndexerModel, type StringOrderType } from './string-indexer.js';
import { VectorAssembler } from './vector-assembler.js';

export type RFormulaHandleInvalid = 'error' | 'skip' | 'keep';

const formulaSpec: ParamSpec<string> = {
  name: 'formula',
  doc: "the R model formula, e.g. 'label ~ a + b + a:c - d'",
  type: 'string',
  validator: custom<string>((v) => v.includes('~'), "a formula with '~'"),
};
const handleInvalidSpec = shared.handleInvalid<RFormulaHandleInvalid>(
  ['error', 'skip', 'keep'],
  'error',
  "how to handle unseen labels and nulls in string columns: 'error', 'skip' (drop rows) or 'keep' (extra category)",
);
const forceIndexLabelSpec: ParamSpec<boolean> = {
  name: 'forceIndexLabel',
  doc: 'whether to index the label even when it is numeric',
  type: 'boolean',
  default: false,
};
const orderSpec: ParamSpec<StringOrderType> = {
  name: 'stringIndexerOrderType',
  doc: 'how string columns are ordered before one-hot encoding (see StringIndexer.stringOrderType)',
  type: 'string',
  validator: inArray(['frequencyDesc', 'frequencyAsc', 'alphabetDesc', 'alphabetAsc']),
  default: 'frequencyDesc',
};

export interface RFormulaParams {
  formula?: string;
  featuresCol?: string;
  labelCol?: string;
  handleInvalid?: RFormulaHandleInvalid;
  forceIndexLabel?: boolean;
  stringIndexerOrderType?: StringOrderType;
}

interface Resolved {
  label: string;
  terms: string[][];
  hasIntercept: boolean;
}

/** The formula's terms against a schema: '.' expanded, removals applied, columns checked. */
function resolve(stage: RFormula | RFormulaModel, schema: Schema): Resolved {
  const f = parseFormula(stage.uid, stage.getOrDefault(stage.formula));
  const key = (t: string[]): string => [...t].sort().join(':');
  const gone = new Set(f.removed.map(key));
  const seen = new Set<string>();
  const terms: string[][] = [];
  const featuresCol = stage.getOrDefault(stage.featuresCol);
  for (const t of f.terms) {
    const expanded =
      t[0] === '.'
        ? schema.filter((x) => x.name !== f.label && x.name !== featuresCol).map((x) => [x.name])
        : [t];
    for (const e of expanded) {
      const k = key(e);
      if (gone.has(k) || seen.has(k)) continue;
      seen.add(k);
      terms.push(e);
    }
  }
  if (terms.length === 0) {
    throw new MLError(
      'INVALID_PARAM',
      `${stage.uid}: formula "${stage.getOrDefault(stage.formula)}" leaves no feature terms`,
      {
        stage: stage.uid,
        param: 'formula',
      },
    );
  }
  for (const t of terms) for (const c of t) requireColumn(stage.uid, schema, 'formula', c, 'any');
  return { label: f.label, terms, hasIntercept: f.hasIntercept };
}

function outputSchema(
  stage: RFormula | RFormulaModel,
  schema: Schema,
  r: Resolved,
  featureSize?: number,
): Schema {
  let out = appendColumn(stage.uid, schema, 'featuresCol', {
    name: stage.getOrDefault(stage.featuresCol),
    type: 'vector',
    ...(featureSize !== undefined ? { size: featureSize } : {}),
  });
  const labelField = findField(schema, r.label);
  const labelCol = stage.getOrDefault(stage.labelCol);
  if (labelField && labelCol !== r.label) {
    requireColumn(stage.uid, schema, 'formula', r.label, 'numericOrString');
    out = appendColumn(stage.uid, out, 'labelCol', { name: labelCol, type: 'float64' });
  }
  return out;
}

export class RFormula extends Estimator<RFormulaModel> {
  readonly formula = this.declare(formulaSpec);
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly handleInvalid = this.declare(handleInvalidSpec);
  readonly forceIndexLabel = this.declare(forceIndexLabelSpec);
  readonly stringIndexerOrderType = this.declare(orderSpec);

  constructor(params: RFormulaParams = {}) {
    super();
    this.setParams(params);
  }
  setFormula(v: string): this {
    return this.set(this.formula, v);
  }
  getFormula(): string {
    return this.getOrDefault(this.formula);
  }
  setFeaturesCol(v: string): this {
    return this.set(this.featuresCol, v);
  }
  setLabelCol(v: string): this {
    return this.set(this.labelCol, v);
  }
  setHandleInvalid(v: RFormulaHandleInvalid): this {
    return this.set(this.handleInvalid, v);
  }
  setForceIndexLabel(v: boolean): this {
    return this.set(this.forceIndexLabel, v);
  }
  setStringIndexerOrderType(v: StringOrderType): this {
    return this.set(this.stringIndexerOrderType, v);
  }

  transformSchema(schema: Schema): Schema {
    return outputSchema(this, schema, resolve(this, schema));
  }

  protected async _fit(frame: Frame): Promise<RFormulaModel> {
    const schema = frame.schema;
    const r = resolve(this, schema);
    const mode = this.getOrDefault(this.handleInvalid);
    const order = this.getOrDefault(this.stringIndexerOrderType);
    const tmp = (s: string): string => `${this.uid}__${s}`;
    const stages: PipelineStage[] = [];
    const temps: string[] = [];
    const indexed = new Set<string>();
    const encode = (col: string, dropLast: boolean): string => {
      const idx = tmp(`${col}_idx`);
      if (!indexed.has(col)) {
        stages.push(
          new StringIndexer({ inputCol: col, outputCol: idx, handleInvalid: mode, stringOrderType: order }),
        );
        temps.push(idx);
        indexed.add(col);
      }
      const oh = tmp(`${col}_oh${dropLast ? '' : '_full'}`);
      if (!temps.includes(oh)) {
        stages.push(
          new OneHotEncoder({
            inputCol: idx,
            outputCol: oh,
            dropLast,
            handleInvalid: mode === 'keep' ? 'keep' : 'error',
          }),
        );
        temps.push(oh);
      }
      return oh;
    };
    const isString = (c: string): boolean => findField(schema, c)!.type === 'string';
    let firstString = true;
    const parts = r.terms.map((t) => {
      if (t.length === 1) {
        const c = t[0]!;
        if (!isString(c)) return c;
        const dropLast = r.hasIntercept || !firstString;
        firstString = false;
        return encode(c, dropLast);
      }
      const members = t.map((c) => (isString(c) ? encode(c, false) : c));
      const out = tmp(t.join(':'));
      stages.push(new Interaction({ inputCols: members, outputCol: out }));
      temps.push(out);
      return out;
    });
    stages.push(new VectorAssembler({ inputCols: parts, outputCol: this.getOrDefault(this.featuresCol) }));
    const features = await new Pipeline({ stages }).fit(frame);

    let labelModel: StringIndexerModel | undefined;
    const labelField = findField(schema, r.label);
    const labelCol = this.getOrDefault(this.labelCol);
    if (labelField && (labelField.type === 'string' || this.getOrDefault(this.forceIndexLabel))) {
      labelModel = await new StringIndexer({
        inputCol: r.label,
        outputCol: labelCol,
        handleInvalid: mode,
        stringOrderType: order,
      }).fit(frame);
    }
    return new RFormulaModel(features, labelModel, temps);
  }
}

export class RFormulaModel extends Model {
  readonly formula = this.declare(formulaSpec);
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly handleInvalid = this.declare(handleInvalidSpec);
  readonly forceIndexLabel = this.declare(forceIndexLabelSpec);
  readonly stringIndexerOrderType = this.declare(orderSpec);

  /**
   * @param pipelineModel the fitted feature stages (indexers, encoders, interactions, assembler)
   * @param labelModel the label's StringIndexerModel when the label is indexed
   * @param tempCols intermediate columns dropped after transform
   */
  constructor(
    readonly pipelineModel: PipelineModel,
    readonly labelModel: StringIndexerModel | undefined,
    readonly tempCols: readonly string[],
  ) {
    super();
  }

  transformSchema(schema: Schema): Schema {
    const r = resolve(this, schema);
    const size = findField(
      this.pipelineModel.transformSchema(schema),
      this.getOrDefault(this.featuresCol),
    )?.size;
    return outputSchema(this, schema, r, size);
  }

  protected async _transform(frame: Frame): Promise<Frame> {
    const r = resolve(this, frame.schema);
    let out = await this.pipelineModel.transform(frame);
    out = out.drop(...this.tempCols.filter((c) => out.has(c)));
    const labelCol = this.getOrDefault(this.labelCol);
    if (out.has(r.label) && labelCol !== r.label) {
      if (this.labelModel) out = await this.labelModel.transform(out);
      else out = out.withColumn(labelCol, float64Column(out.float64(r.label)));
    }
    return out;
  }

  override writeData(w: StageWriter): void {
    w.stage('pipeline', this.pipelineModel);
    if (this.labelModel) w.stage('label', this.labelModel);
    w.json('tempCols', this.tempCols);
  }
}

registerStage('RFormula', RFormula);
registerStage('RFormulaModel', RFormulaModel, async (r: StageReader) => {
  const p = await r.stage('pipeline');
  const l = r.stageNames().includes('label') ? await r.stage('label') : undefined;
  if (!(p instanceof PipelineModel) || (l !== undefined && !(l instanceof StringIndexerModel))) {
    throw new MLError('LOAD_ERROR', `${r.where}: RFormulaModel's nested stages have unexpected classes`);
  }
  return new RFormulaModel(p, l, r.json<string[]>('tempCols'));
});

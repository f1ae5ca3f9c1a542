/**
 * StringIndexer / StringIndexerModel (Spark ML `feature.StringIndexer`): maps each distinct label of a
 * string (or numeric) column to an index in [0, numLabels), by default the most frequent label → 0.
 * Works on the dictionary codes of frame string columns: counting and mapping are O(rows) over an
 * Int32Array plus O(dictionary) string work, with no per-row strings.
 * Numeric input columns are indexed by their values; their labels are the numbers as JavaScript prints
 * them ('1', '2.5'), where Spark, casting doubles to strings, would show '1.0', '2.5'.
 */
import { StringColumn, float64Column, type Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { StageWriter } from '../io/format.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { inArray } from '../param/validators.js';
import { Estimator, Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import { requireRows } from './columns.js';
import { SkippedRows, inOutPairs, inOutSchema, requireFittedColumns, withInOutCols } from './in-out-cols.js';

export type StringOrderType = 'frequencyDesc' | 'frequencyAsc' | 'alphabetDesc' | 'alphabetAsc';
export type StringIndexerHandleInvalid = 'error' | 'skip' | 'keep';

const stringOrderTypeSpec: ParamSpec<StringOrderType> = {
  name: 'stringOrderType',
  doc:
    'how to order labels: frequencyDesc (most frequent first), frequencyAsc, alphabetDesc, alphabetAsc; ' +
    'frequency ties are broken alphabetically',
  type: 'string',
  validator: inArray(['frequencyDesc', 'frequencyAsc', 'alphabetDesc', 'alphabetAsc']),
  default: 'frequencyDesc',
};
const handleInvalidSpec = shared.handleInvalid<StringIndexerHandleInvalid>(
  ['error', 'skip', 'keep'],
  'error',
  "how to handle unseen labels and nulls: 'error' raises, 'skip' drops the row, 'keep' maps them to index numLabels",
);

export interface StringIndexerParams {
  inputCol?: string;
  outputCol?: string;
  inputCols?: readonly string[];
  outputCols?: readonly string[];
  handleInvalid?: StringIndexerHandleInvalid;
  stringOrderType?: StringOrderType;
}

/** Label strings of a column's rows: the dictionary for strings, formatted numbers otherwise. */
function labelView(frame: Frame, col: string): { codes: Int32Array; dictionary: readonly string[] } {
  const c = frame.column(col);
  if (c instanceof StringColumn) return frame.strings(col);
  // Numeric labels: build a dictionary of the distinct numbers (as Spark casts them to strings).
  const x = frame.float64(col);
  const codes = new Int32Array(x.length);
  const index = new Map<number, number>();
  const dictionary: string[] = [];
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isNaN(v)) {
      codes[i] = -1;
      continue;
    }
    let k = index.get(v);
    if (k === undefined) {
      k = dictionary.length;
      index.set(v, k);
      dictionary.push(String(v));
    }
    codes[i] = k;
  }
  return { codes, dictionary };
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class StringIndexer extends withInOutCols(Estimator<StringIndexerModel>) {
  readonly handleInvalid = this.declare(handleInvalidSpec);
  readonly stringOrderType = this.declare(stringOrderTypeSpec);

  constructor(params: StringIndexerParams = {}) {
    super();
    this.setParams(params);
  }

  setHandleInvalid(v: StringIndexerHandleInvalid): this {
    return this.set(this.handleInvalid, v);
  }
  getHandleInvalid(): StringIndexerHandleInvalid {
    return this.getOrDefault(this.handleInvalid);
  }
  setStringOrderType(v: StringOrderType): this {
    return this.set(this.stringOrderType, v);
  }
  getStringOrderType(): StringOrderType {
    return this.getOrDefault(this.stringOrderType);
  }

  transformSchema(schema: Schema): Schema {
    return indexerSchema(this, schema);
  }

  protected _fit(frame: Frame): StringIndexerModel {
    const order = this.getStringOrderType();
    const labelsArray = inOutPairs(this).map(([col]) => {
      const { codes, dictionary } = labelView(frame, col);
      const counts = new Float64Array(dictionary.length);
      for (let i = 0; i < codes.length; i++) {
        const c = codes[i]!;
        if (c >= 0) counts[c]!++;
      }
      // Merge dictionary entries that hold the same string (possible after concatenations).
      const byLabel = new Map<string, number>();
      dictionary.forEach((s, k) => {
        if (counts[k]! > 0) byLabel.set(s, (byLabel.get(s) ?? 0) + counts[k]!);
      });
      const labels = [...byLabel.keys()];
      requireRows(this.uid, labels.length, `column '${col}' (no non-null labels)`);
      switch (order) {
        case 'frequencyDesc':
          labels.sort((a, b) => byLabel.get(b)! - byLabel.get(a)! || cmpStr(a, b));
          break;
        case 'frequencyAsc':
          labels.sort((a, b) => byLabel.get(a)! - byLabel.get(b)! || cmpStr(a, b));
          break;
        case 'alphabetDesc':
          labels.sort((a, b) => cmpStr(b, a));
          break;
        case 'alphabetAsc':
          labels.sort(cmpStr);
          break;
      }
      return labels;
    });
    return new StringIndexerModel(labelsArray);
  }
}

function indexerSchema(stage: StringIndexer | StringIndexerModel, schema: Schema): Schema {
  return inOutSchema(stage, schema, 'numericOrString', () => ({ type: 'float64' }));
}

export class StringIndexerModel extends withInOutCols(Model) {
  readonly handleInvalid = this.declare(handleInvalidSpec);
  readonly stringOrderType = this.declare(stringOrderTypeSpec);
  /** Labels of each input column, index order. */
  readonly labelsArray: ReadonlyArray<readonly string[]>;

  constructor(labelsArray: ReadonlyArray<readonly string[]>, params: StringIndexerParams = {}) {
    super();
    this.labelsArray = labelsArray.map((l) => Object.freeze([...l]));
    this.setParams(params);
  }

  /** Labels of the (single) input column. */
  get labels(): readonly string[] {
    return this.labelsArray[0] ?? [];
  }

  setHandleInvalid(v: StringIndexerHandleInvalid): this {
    return this.set(this.handleInvalid, v);
  }

  transformSchema(schema: Schema): Schema {
    requireFittedColumns(this, this.labelsArray.length);
    return indexerSchema(this, schema);
  }

  protected _transform(frame: Frame): Frame {
    const mode = this.getOrDefault(this.handleInvalid);
    const pairs = inOutPairs(this);
    const n = frame.numRows;
    const skipped = new SkippedRows(n);
    const outs: Array<[string, Float64Array]> = [];
    pairs.forEach(([col, outName], j) => {
      const labels = this.labelsArray[j]!;
      const index = new Map<string, number>();
      labels.forEach((l, k) => index.set(l, k));
      const { codes, dictionary } = labelView(frame, col);
      // One lookup per dictionary entry, then an O(rows) pass over the codes.
      const lut = new Float64Array(dictionary.length);
      for (let k = 0; k < dictionary.length; k++) lut[k] = index.get(dictionary[k]!) ?? -1;
      const out = new Float64Array(n);
      const keepIdx = labels.length;
      for (let i = 0; i < n; i++) {
        const c = codes[i]!;
        const v = c >= 0 ? lut[c]! : -1;
        if (v >= 0) {
          out[i] = v;
          continue;
        }
        if (mode === 'keep') out[i] = keepIdx;
        else if (mode === 'skip') skipped.skip(i);
        else {
          const what = c < 0 ? 'a null' : `the unseen label ${JSON.stringify(dictionary[c])}`;
          throw new MLError('INVALID_DATA', `${this.uid}: column '${col}' has ${what} at row ${i}`, {
            stage: this.uid,
            column: col,
            hint: "set handleInvalid to 'skip' (drop such rows) or 'keep' (index numLabels)",
          });
        }
      }
      outs.push([outName, out]);
    });
    return skipped.dropFrom(
      frame.withColumns(Object.fromEntries(outs.map(([k, v]) => [k, float64Column(v)]))),
    );
  }

  override writeData(w: StageWriter): void {
    w.json('labelsArray', this.labelsArray);
  }
}

registerStage('StringIndexer', StringIndexer);
registerStage(
  'StringIndexerModel',
  StringIndexerModel,
  (r) => new StringIndexerModel(r.json<string[][]>('labelsArray')),
);

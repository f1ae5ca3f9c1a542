/**
 * IndexToString (Spark ML `feature.IndexToString`): maps label indices back to label strings, e.g.
 * predictions back to the original classes with `labels: stringIndexerModel.labels`. The output is a
 * dictionary-encoded string column whose dictionary is the labels (no string per row).
 */
import { dictionaryColumn, type Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import { arrayLengthGt } from '../param/validators.js';
import { Transformer } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { appendColumn, requireColumn, type Schema } from '../util/schema.js';
import { withInputOutputCol } from './in-out-cols.js';

const labelsSpec: ParamSpec<readonly string[]> = {
  name: 'labels',
  doc: 'the labels, in index order (e.g. StringIndexerModel.labels)',
  type: 'string[]',
  validator: arrayLengthGt(0),
};

export interface IndexToStringParams {
  inputCol?: string;
  outputCol?: string;
  labels?: readonly string[];
}

export class IndexToString extends withInputOutputCol(Transformer) {
  readonly labels = this.declare(labelsSpec);

  constructor(params: IndexToStringParams = {}) {
    super();
    this.setParams(params);
  }
  setLabels(v: readonly string[]): this {
    return this.set(this.labels, v);
  }
  getLabels(): readonly string[] {
    return this.getOrDefault(this.labels);
  }

  transformSchema(schema: Schema): Schema {
    this.getLabels();
    requireColumn(this.uid, schema, 'inputCol', this.getOrDefault(this.inputCol), 'numeric');
    return appendColumn(this.uid, schema, 'outputCol', {
      name: this.getOrDefault(this.outputCol),
      type: 'string',
    });
  }

  protected _transform(frame: Frame): Frame {
    const labels = this.getLabels();
    const col = this.getOrDefault(this.inputCol);
    const x = frame.float64(col);
    const codes = new Int32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (Number.isNaN(v)) {
        codes[i] = -1; // null stays null
        continue;
      }
      if (!(Number.isInteger(v) && v >= 0 && v < labels.length)) {
        throw new MLError(
          'INVALID_DATA',
          `${this.uid}: index ${v} at row ${i} of '${col}' has no label (${labels.length} labels)`,
          {
            stage: this.uid,
            column: col,
          },
        );
      }
      codes[i] = v;
    }
    return frame.withColumn(this.getOrDefault(this.outputCol), dictionaryColumn(codes, [...labels]));
  }
}

registerStage('IndexToString', IndexToString);

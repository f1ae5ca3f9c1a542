/**
 * The saved-stage format, platform-free: a stage becomes a bundle (relative path → bytes) and back.
 * Files are written by fs.ts (Node). Layout and versioning: docs/decisions/0004-model-save-format.md.
 *
 *   <dir>/metadata.json        class, uid, params, format version, cauce version, small JSON data,
 *                              and a table of the binary arrays (path, dtype, length, FNV-1a checksum)
 *   <dir>/data/<name>.f64      little-endian float64 (also .i32 int32, .u8 bytes)
 *   <dir>/stages/<name>/       nested stages (pipeline stages, a model's sub-models), same layout
 */
import type { PipelineStage } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { CAUCE_VERSION } from '../util/version.js';
import { loaderFor, registeredName } from './registry.js';

/** Bump when a reader of the previous version could not read the new files. */
export const FORMAT_VERSION = 1;
export const FORMAT_NAME = 'cauce-ml-stage';

export type Bundle = Map<string, Uint8Array>;
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

type DType = 'float64' | 'int32' | 'uint8';
const EXT: Record<DType, string> = { float64: 'f64', int32: 'i32', uint8: 'u8' };
const BYTES: Record<DType, number> = { float64: 8, int32: 4, uint8: 1 };

export interface ArrayEntry {
  path: string;
  dtype: DType;
  length: number;
  /** FNV-1a 32-bit over the file's bytes, hex: catches truncated or altered files. */
  fnv1a: string;
}

export interface StageMetadata {
  format: typeof FORMAT_NAME;
  formatVersion: number;
  class: string;
  uid: string;
  cauceVersion: string;
  timestamp: string;
  /** Explicitly set params (JSON; non-finite numbers as {"$number": "NaN" | "Infinity" | "-Infinity"}). */
  params: Record<string, JsonValue>;
  /** Defaults at save time, for readers; loading applies the loading code's defaults. */
  defaultParams: Record<string, JsonValue>;
  /** Small values written with `writer.json`. */
  data: Record<string, JsonValue>;
  arrays: Record<string, ArrayEntry>;
  /** Nested stages: name → relative directory. */
  stages: Record<string, string>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** FNV-1a, 32 bit (Fowler–Noll–Vo); fast enough for model files and catches corruption. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function toBytes(data: Float64Array | Int32Array | Uint8Array): Uint8Array {
  if (data instanceof Uint8Array) return data.slice();
  if (LITTLE_ENDIAN)
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float64Array) dv.setFloat64(i * 8, data[i]!, true);
    else dv.setInt32(i * 4, data[i]!, true);
  }
  return out;
}

function fromBytes(bytes: Uint8Array, dtype: DType, length: number): Float64Array | Int32Array | Uint8Array {
  if (dtype === 'uint8') return bytes.slice();
  const copy = new Uint8Array(bytes); // aligned, owned copy
  if (LITTLE_ENDIAN)
    return dtype === 'float64'
      ? new Float64Array(copy.buffer, 0, length)
      : new Int32Array(copy.buffer, 0, length);
  const dv = new DataView(copy.buffer);
  if (dtype === 'float64') return Float64Array.from({ length }, (_, i) => dv.getFloat64(i * 8, true));
  return Int32Array.from({ length }, (_, i) => dv.getInt32(i * 4, true));
}

/** Param values → JSON: NaN/±Infinity are not JSON numbers, so they are tagged. */
export function encodeJson(v: unknown): JsonValue {
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (Array.isArray(v)) return v.map(encodeJson);
  if (v === undefined) return null;
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeJson(x)]));
  }
  return v as JsonValue;
}

export function decodeJson(v: JsonValue): unknown {
  if (Array.isArray(v)) return v.map(decodeJson);
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '$number' && typeof v.$number === 'string') return Number(v.$number);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeJson(x)]));
  }
  return v;
}

const SAFE_NAME = /^[A-Za-z0-9_.-]+$/;

/** What a stage's `writeData` writes through. Names must be [A-Za-z0-9_.-]+ and unique per stage. */
export class StageWriter {
  readonly meta: StageMetadata;
  private readonly names = new Set<string>();

  constructor(
    private readonly bundle: Bundle,
    private readonly prefix: string,
    private readonly owner: PipelineStage,
  ) {
    const stage = owner;
    this.meta = {
      format: FORMAT_NAME,
      formatVersion: FORMAT_VERSION,
      class: registeredName(stage),
      uid: stage.uid,
      cauceVersion: CAUCE_VERSION,
      timestamp: new Date().toISOString(),
      params: {},
      defaultParams: {},
      data: {},
      arrays: {},
      stages: {},
    };
    for (const p of stage.params) {
      if (p.spec.type === 'object') continue; // stage-valued params are written by the stage itself
      if (stage.isSet(p)) this.meta.params[p.name] = encodeJson(stage.get(p));
      if (p.spec.default !== undefined) this.meta.defaultParams[p.name] = encodeJson(p.spec.default);
    }
  }

  private claim(name: string): void {
    if (!SAFE_NAME.test(name) || this.names.has(name)) {
      throw new MLError('SAVE_ERROR', `${this.owner.uid}: data name '${name}' is invalid or used twice`, {
        stage: this.owner.uid,
      });
    }
    this.names.add(name);
  }

  private array(name: string, dtype: DType, data: Float64Array | Int32Array | Uint8Array): void {
    this.claim(name);
    const bytes = toBytes(data);
    const path = `data/${name}.${EXT[dtype]}`;
    this.bundle.set(this.prefix + path, bytes);
    this.meta.arrays[name] = { path, dtype, length: data.length, fnv1a: fnv1a(bytes) };
  }

  /** Numbers as little-endian float64 (exact round trip, NaN included). */
  f64(name: string, data: Float64Array | readonly number[]): void {
    this.array(name, 'float64', data instanceof Float64Array ? data : Float64Array.from(data));
  }
  i32(name: string, data: Int32Array | readonly number[]): void {
    this.array(name, 'int32', data instanceof Int32Array ? data : Int32Array.from(data));
  }
  u8(name: string, data: Uint8Array): void {
    this.array(name, 'uint8', data);
  }
  /** A small JSON value (settings, label lists, shapes) kept inside metadata.json. */
  json(name: string, value: unknown): void {
    this.claim(name);
    this.meta.data[name] = encodeJson(value);
  }
  /** A nested stage saved in its own directory `stages/<name>/`. */
  stage(name: string, stage: PipelineStage): void {
    this.claim(name);
    const dir = `stages/${name}/`;
    encodeInto(this.bundle, this.prefix + dir, stage);
    this.meta.stages[name] = dir;
  }
}

function encodeInto(bundle: Bundle, prefix: string, stage: PipelineStage): void {
  const w = new StageWriter(bundle, prefix, stage);
  stage.writeData(w);
  bundle.set(prefix + 'metadata.json', new TextEncoder().encode(JSON.stringify(w.meta, null, 2) + '\n'));
}

/** A stage → bundle (relative path → bytes). */
export function encodeStage(stage: PipelineStage): Bundle {
  const bundle: Bundle = new Map();
  encodeInto(bundle, '', stage);
  return bundle;
}

function corrupt(where: string, what: string, hint?: string): MLError {
  return new MLError('LOAD_ERROR', `${where}: ${what}`, {
    hint: hint ?? 'the saved stage is damaged or incomplete; save it again',
  });
}

/** What a loader reads through. `where` (a directory) appears in every error. */
export class StageReader {
  readonly meta: StageMetadata;

  constructor(
    private readonly bundle: Bundle,
    private readonly prefix: string,
    readonly where: string,
  ) {
    this.meta = readMetadata(bundle, prefix, where);
  }

  has(name: string): boolean {
    return name in this.meta.arrays || name in this.meta.data || name in this.meta.stages;
  }

  private array(name: string, dtype: DType): Float64Array | Int32Array | Uint8Array {
    const e = this.meta.arrays[name];
    if (!e) throw corrupt(this.where, `array '${name}' is missing from metadata.json`);
    if (e.dtype !== dtype) throw corrupt(this.where, `array '${name}' is ${e.dtype}, expected ${dtype}`);
    const bytes = this.bundle.get(this.prefix + e.path);
    if (!bytes) throw corrupt(this.where, `file ${e.path} is missing`);
    if (bytes.length !== e.length * BYTES[dtype]) {
      throw corrupt(
        this.where,
        `file ${e.path} has ${bytes.length} bytes, expected ${e.length * BYTES[dtype]}`,
      );
    }
    if (fnv1a(bytes) !== e.fnv1a) throw corrupt(this.where, `file ${e.path} fails its checksum`);
    return fromBytes(bytes, dtype, e.length);
  }

  f64(name: string): Float64Array {
    return this.array(name, 'float64') as Float64Array;
  }
  i32(name: string): Int32Array {
    return this.array(name, 'int32') as Int32Array;
  }
  u8(name: string): Uint8Array {
    return this.array(name, 'uint8') as Uint8Array;
  }
  /** A value written with `writer.json`; the caller states its shape. */
  json<T>(name: string): T {
    if (!(name in this.meta.data))
      throw corrupt(this.where, `data entry '${name}' is missing from metadata.json`);
    return decodeJson(this.meta.data[name]!) as T;
  }
  /** A nested stage written with `writer.stage`. */
  async stage(name: string): Promise<PipelineStage> {
    const dir = this.meta.stages[name];
    if (dir === undefined) throw corrupt(this.where, `nested stage '${name}' is missing from metadata.json`);
    return decodeAt(this.bundle, this.prefix + dir, `${this.where}/${dir.replace(/\/$/, '')}`);
  }
  /** Names of nested stages, in the order written. */
  stageNames(): string[] {
    return Object.keys(this.meta.stages);
  }
}

function readMetadata(bundle: Bundle, prefix: string, where: string): StageMetadata {
  const raw = bundle.get(prefix + 'metadata.json');
  if (!raw) {
    throw new MLError('LOAD_ERROR', `${where}: no metadata.json found`, {
      hint: 'point at a directory written by stage.save(dir)',
    });
  }
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder().decode(raw));
  } catch (err) {
    throw corrupt(where, `metadata.json is not valid JSON (${(err as Error).message})`);
  }
  const m = meta as Partial<StageMetadata> | null;
  if (!m || typeof m !== 'object' || m.format !== FORMAT_NAME) {
    throw corrupt(
      where,
      `metadata.json is not a cauce ml stage (format field is ${JSON.stringify(m?.format)})`,
    );
  }
  if (typeof m.formatVersion !== 'number' || !Number.isInteger(m.formatVersion) || m.formatVersion < 1) {
    throw corrupt(where, `metadata.json has no valid formatVersion`);
  }
  if (m.formatVersion > FORMAT_VERSION) {
    throw new MLError(
      'UNSUPPORTED_VERSION',
      `${where}: saved with format version ${m.formatVersion} (cauce ${String(m.cauceVersion)}), ` +
        `but this cauce ${CAUCE_VERSION} reads format versions up to ${FORMAT_VERSION}`,
      { hint: 'upgrade @cauce/ml to load it' },
    );
  }
  for (const k of ['class', 'uid'] as const) {
    if (typeof m[k] !== 'string') throw corrupt(where, `metadata.json field '${k}' is missing`);
  }
  for (const k of ['params', 'data', 'arrays', 'stages'] as const) {
    if (!m[k] || typeof m[k] !== 'object') throw corrupt(where, `metadata.json field '${k}' is missing`);
  }
  return m as StageMetadata;
}

async function decodeAt(bundle: Bundle, prefix: string, where: string): Promise<PipelineStage> {
  const reader = new StageReader(bundle, prefix, where);
  const stage = await loaderFor(reader.meta.class, where)(reader);
  stage._restoreUid(reader.meta.uid);
  for (const [name, value] of Object.entries(reader.meta.params)) {
    if (!stage.hasParam(name)) {
      throw corrupt(
        where,
        `saved param '${name}' is not a param of ${reader.meta.class}`,
        'was it saved by another version?',
      );
    }
    try {
      stage.set(stage.getParam(name), decodeJson(value));
    } catch (err) {
      throw corrupt(where, `saved param '${name}' is not valid here: ${(err as Error).message}`);
    }
  }
  return stage;
}

/** A bundle → the stage it holds. */
export function decodeStage(bundle: Bundle, where = '(bundle)'): Promise<PipelineStage> {
  return decodeAt(bundle, '', where);
}

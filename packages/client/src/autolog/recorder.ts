/**
 * The recording of autologged fits, from plain messages (messages.ts): what autolog sends over HTTP. It
 * runs on autolog's logging thread (log-worker.ts), so the requests, the JSON, the training profile and
 * the SVG plots are done on the machine's other core while the fit runs on its own (issue 8: blocking
 * autolog overhead); with `autolog({ worker: false })`, or if the thread cannot start, it runs on the
 * caller's thread from the same messages (logging-thread.ts).
 *
 * Order of events per fit: `begin` (the fit starts) creates or joins the run and, for CrossValidator /
 * TrainValidationSplit, creates one child run per param map as soon as the parent exists; each `trial`
 * completes a child (params + metric in one log-batch, then FINISHED) when its map's last trial is in;
 * `finish` logs the result — parent metrics and best params, search results, the model directory
 * (completed here with the run id and the profile), the plots — and ends a run autolog opened. The
 * metric logged early is the validator's arithmetic (mean over folds, population std, in fold order) and
 * is checked against the fitted model's metrics at `finish`: should they ever differ, the model's value is
 * logged. A failure never fails the fit: it is posted back as a warning the caller's thread prints.
 */
import type { Run, RunStatus } from '@cauce/protocol';
import { MlflowClient } from '../client.js';
import { completeModelFiles } from '../model/mlmodel-file.js';
import { profileOfInput, type DataProfile } from '../model/profile.js';
import { ModelAhead } from './model-ahead.js';
import { uploadModelFiles } from '../model/upload-model.js';
import type { VegaLiteSpec } from '../figures.js';
import type {
  BeginMessage,
  ClientSpec,
  DrawMessage,
  FinishMessage,
  MetricsMessage,
  FromRecorder,
  ToRecorder,
  TrialMessage,
} from './messages.js';
import { bestIndexOf, childTags, parentTuningRecords, planOf, type TuningPlanData } from './tuning-rows.js';
import { TIMING, threadCpuMs, timed, timedSync, trace } from './timing.js';
import { drawInPlace, type Draw } from './plot-thread.js';

interface Child {
  run: Promise<Run | undefined>;
  /** Set once the map's metric was logged and the child ended; resolves to what was logged. */
  logged?: Promise<{ metric: number; std: number | undefined } | undefined>;
}

interface Fit {
  begin: BeginMessage;
  client: MlflowClient;
  /** The run and whether this recording created it; undefined when it could not be started. */
  started: Promise<{ run: Run; created: boolean } | undefined>;
  children: Map<number, Child>;
  scores: Array<Map<number, number>>;
  /** Runs created here and not ended yet (for SIGINT: ended KILLED). */
  open: Set<string>;
  killed: boolean;
  /** The training frame's profile, computed right after the first requests are out. */
  profile: Promise<DataProfile | undefined>;
  /** Each map's row once its trials are in (for the tuning plots drawn ahead). */
  rows: TuningPlanData['rows'];
  /** Plots drawn ahead, by file: used when the final spec is the very same (uploaded ahead: true once in). */
  drawn: Map<string, { spec: string; svg: Promise<string>; uploaded: Promise<boolean> }>;
  /** The parent's best params + metric and search results, logged when the last trial is in (as sent). */
  ahead: Promise<{ batch: string; dict: string } | undefined>;
  /** The model files uploaded while the fit runs (BeginMessage.modelAhead), if any. */
  modelAhead: ModelAhead | undefined;
  /** The training metrics (a `metrics` message may bring them after `finish`). */
  metrics: Promise<Record<string, number>>;
  setMetrics: (m: Record<string, number>) => void;
}

const message = (err: unknown): string => (err as Error)?.message ?? String(err);

export class Recorder {
  private readonly fits = new Map<number, Fit>();
  private readonly clients = new Map<string, MlflowClient>();

  /** `draw` turns a plot spec into SVG: on a plot thread from the logging thread, else in place. */
  constructor(
    private readonly post: (m: FromRecorder) => void,
    private readonly draw: Draw = drawInPlace,
  ) {}

  /** Handles one message; `client` (caller's thread only) is the client to log with instead of a new one. */
  handle(m: ToRecorder, client?: MlflowClient): void {
    if (m.type === 'begin') this.begin(m, client ?? this.clientFor(m.client));
    else if (m.type === 'trial') this.trial(m);
    else if (m.type === 'finish') void this.finish(m);
    else if (m.type === 'metrics') this.metrics(m);
    else if (m.type === 'draw') this.drawMessage(m);
    else void this.kill().then(() => this.post({ type: 'killed', id: m.id }));
  }

  private warn(text: string, err?: unknown): void {
    this.post({ type: 'warn', message: err === undefined ? text : `${text}: ${message(err)}` });
  }

  private clientFor(spec: ClientSpec): MlflowClient {
    const key = JSON.stringify(spec);
    let c = this.clients.get(key);
    if (!c) {
      c = new MlflowClient(spec.trackingUri, spec.transport);
      this.clients.set(key, c);
    }
    return c;
  }

  /** A run this recording created: open until ended; created after a kill, it is ended KILLED at once. */
  private opened(fit: Fit, run: Run): void {
    if (fit.killed) void this.end(fit, run.info.run_id, 'KILLED').catch(() => undefined);
    else fit.open.add(run.info.run_id);
  }

  private end(fit: Fit, runId: string, status: RunStatus): Promise<void> {
    fit.open.delete(runId);
    return fit.client.setTerminated(runId, status);
  }

  private begin(m: BeginMessage, c: MlflowClient): void {
    if (TIMING) trace(`begin; thread CPU ${threadCpuMs().toFixed(0)} ms so far`);
    const fit: Fit = {
      begin: m,
      client: c,
      started: Promise.resolve(undefined),
      children: new Map(),
      scores: [],
      open: new Set(),
      killed: false,
      profile: Promise.resolve(undefined),
      rows: [],
      drawn: new Map(),
      modelAhead: undefined,
      ahead: Promise.resolve(undefined),
      metrics: Promise.resolve({}),
      setMetrics: () => undefined,
    };
    fit.metrics = new Promise((resolve) => (fit.setMetrics = resolve));
    this.fits.set(m.id, fit);
    const run: Promise<{ run: Run; created: boolean }> = m.active
      ? Promise.resolve({ run: m.active, created: false })
      : // a run autolog opens gets its tags with it (one request fewer than tagging it afterwards)
        c
          .createRun(m.experimentId, {
            runName: m.runName,
            tags: { ...m.tags, 'mlflow.source.type': 'LOCAL' },
          })
          .then((r) => {
            this.opened(fit, r);
            return { run: r, created: true };
          });
    if (m.active) c._knowRun(m.active);
    fit.started = run
      .then(async (rec) => {
        const runId = rec.run.info.run_id;
        try {
          // independent requests: both in flight at once
          await Promise.all([
            c.logInputs(runId, [{ dataset: m.dataset, tags: { 'mlflow.data.context': 'train' } }]),
            c.logBatch(runId, rec.created ? { params: m.params } : { params: m.params, tags: m.tags }),
          ]);
        } catch (err) {
          if (rec.created) await this.end(fit, runId, 'FAILED').catch(() => undefined);
          throw err;
        }
        return rec;
      })
      .catch((err: unknown) => {
        this.warn(`could not start logging ${m.tags.estimator_name ?? 'the fit'}`, err);
        return undefined;
      });
    // the profile (the CPU-heavy part of the model directory) while the fit runs; a turn first, so the
    // run's requests are on their way before this thread is busy
    const input = m.profile;
    if (input) {
      fit.profile = new Promise<void>((resolve) => setImmediate(resolve)).then(() => profileOfInput(input));
      fit.profile.catch((err: unknown) => this.warn('the training profile could not be computed', err));
    }
    if (m.modelAhead) {
      fit.modelAhead = new ModelAhead(
        c,
        m.modelAhead,
        run.then((r) => (r.created && !fit.killed ? r.run.info.run_id : undefined)).catch(() => undefined),
        fit.profile,
        () => fit.killed,
        (text, err) => this.warn(text, err),
      );
    }
    // the child runs need only the parent: created while the fit runs
    const parent = run.then((r) => r.run).catch(() => undefined);
    for (let i = 0; i < (m.tuning?.maps.length ?? 0); i++) {
      fit.scores.push(new Map());
      const child = parent
        .then(async (p) => {
          if (!p || fit.killed) return undefined;
          const r = await c.createRun(p.info.experiment_id, {
            runName: `${p.info.run_name}-${i}`,
            tags: childTags(p.info.run_id),
          });
          this.opened(fit, r);
          return r;
        })
        .catch(() => undefined); // created at finish instead
      fit.children.set(i, { run: child });
    }
  }

  private trial(m: TrialMessage): void {
    if (TIMING) trace(`trial ${m.paramIndex}/${m.fold}`);
    const fit = this.fits.get(m.id);
    const tuning = fit?.begin.tuning;
    if (!fit || !tuning || fit.killed) return;
    const child = fit.children.get(m.paramIndex);
    const s = fit.scores[m.paramIndex];
    if (!child || !s) return;
    const k = m.trials / tuning.maps.length;
    s.set(m.fold, m.metric);
    if (!Number.isInteger(k) || s.size !== k) return;
    // the validator's arithmetic: mean over folds and population std (ddof 0), in fold order
    const v = Array.from({ length: k }, (_, f) => s.get(f));
    if (v.some((x) => x === undefined)) return;
    let sum = 0;
    for (const x of v) sum += x!;
    const avg = sum / k;
    let ss = 0;
    for (const x of v) ss += (x! - avg) * (x! - avg);
    const std = tuning.cv ? Math.sqrt(ss / k) : undefined;
    const params = tuning.maps[m.paramIndex]!;
    fit.rows[m.paramIndex] = { index: m.paramIndex, params, metric: avg, std };
    if (fit.rows.filter(Boolean).length === tuning.maps.length) this.logAhead(fit);
    child.logged = child.run
      .then(async (run) => {
        if (!run || fit.killed) return undefined;
        const ms = [{ key: tuning.metricKey, value: avg }];
        if (std !== undefined) ms.push({ key: `std_${tuning.metric}`, value: std });
        await fit.client.logBatch(run.info.run_id, { params, metrics: ms });
        await this.end(fit, run.info.run_id, 'FINISHED');
        if (TIMING) trace(`child ${m.paramIndex} done`);
        return { metric: avg, std };
      })
      .catch(() => undefined); // logged at finish instead
  }

  /**
   * Every map's trials are in and the fit is refitting the best map: log what depends only on the trials
   * now — the parent's best params and metric, tuning/search_results.json, the tuning plots (drawn one
   * per event-loop turn so the children's requests keep flowing) — from the same rows the tuned model will
   * report (the validator's arithmetic). `finish` compares them with the fitted model's plan and logs
   * again whatever differs (issue 8: fewer requests after the fit, while the caller waits).
   */
  private logAhead(fit: Fit): void {
    const t = fit.begin.tuning!;
    const rows = fit.rows;
    const best = bestIndexOf(
      rows.map((r) => r.metric),
      t.larger,
    );
    const plan = planOf(rows, t.metric, t.metricKey, t.larger, best);
    const runId = fit.started.then((rec) => (rec && !fit.killed ? rec.run.info.run_id : undefined));
    const { batch, dict } = parentTuningRecords(plan);
    fit.ahead = runId
      .then(async (id) => {
        if (id === undefined) return undefined;
        await Promise.all([
          fit.client.logBatch(id, batch),
          fit.client.logDict(id, dict, 'tuning/search_results.json'),
        ]);
        return { batch: JSON.stringify(batch), dict: JSON.stringify(dict) };
      })
      .catch(() => undefined); // logged at finish instead
    if (fit.begin.plots) this.drawAhead(fit, plan.plots);
  }

  /**
   * Draws plots and uploads them as soon as the run exists, ahead of `finish`: the tuning plots once the
   * last trial is in, the evaluation plots as soon as the fitted model has scored its sample (a `draw`
   * message, sent before the fit's thread builds the model's files). `finish` uses what was drawn (and
   * uploaded) when its spec is the very same, and draws again otherwise.
   */
  private drawAhead(fit: Fit, plots: Array<[string, VegaLiteSpec]>): void {
    const runId = fit.started.then((rec) => (rec && !fit.killed ? rec.run.info.run_id : undefined));
    // the largest first: with the plot threads busy, the longest drawing starts earliest
    const bySize = plots
      .map(([file, spec]) => ({ file, spec, json: JSON.stringify(spec) }))
      .sort((a, b) => b.json.length - a.json.length);
    for (const { file, spec, json } of bySize) {
      // drawn ahead already (a tuning's validation plots, drawn during the refit, come again with the model's)
      if (fit.drawn.get(file)?.spec === json) continue;
      const svg = new Promise<void>((r) => setImmediate(r)).then(() => this.draw(spec));
      svg.catch(() => undefined); // drawn again at finish, which reports a failure
      const uploaded = Promise.all([svg, runId])
        .then(async ([text, id]) => {
          if (id === undefined) return false;
          await fit.client.logText(id, text, `plots/${file}`);
          if (TIMING) trace(`${file} uploaded ahead`);
          return true;
        })
        .catch(() => false); // uploaded at finish instead
      fit.drawn.set(file, { spec: json, svg, uploaded });
    }
  }

  private drawMessage(m: DrawMessage): void {
    const fit = this.fits.get(m.id);
    if (fit && !fit.killed && fit.begin.plots) this.drawAhead(fit, m.plots);
  }

  private metrics(m: MetricsMessage): void {
    this.fits.get(m.id)?.setMetrics(m.metrics);
  }

  private async finish(m: FinishMessage): Promise<void> {
    if (TIMING) trace(`finish`);
    const fit = this.fits.get(m.id);
    const t0 = performance.now();
    const cpu0 = TIMING ? threadCpuMs() : 0;
    let runId: string | undefined;
    try {
      if (!fit) return;
      const rec = await fit.started;
      if (!rec || fit.killed) return;
      runId = rec.run.info.run_id;
      if (m.failed) {
        await fit.modelAhead?.drop(runId);
        // the children created so far end FAILED with their parent
        await Promise.all(
          [...fit.children.values()].map(async (ch) => {
            const run = await ch.run;
            if (run && !(await ch.logged))
              await this.end(fit, run.info.run_id, 'FAILED').catch(() => undefined);
          }),
        );
        if (rec.created)
          await this.end(fit, runId, 'FAILED').catch((e) => this.warn('could not end the run', e));
        return;
      }
      try {
        await this.logResult(fit, rec.run, m);
      } catch (err) {
        this.warn(`logging the result of ${m.what} failed`, err);
      }
      if (rec.created)
        await this.end(fit, runId, 'FINISHED').catch((e) => this.warn('could not end the run', e));
      trace('run ended');
    } catch (err) {
      this.warn('logging failed', err);
    } finally {
      this.fits.delete(m.id);
      if (TIMING)
        trace(
          `result logged in ${(performance.now() - t0).toFixed(1)} ms (${(threadCpuMs() - cpu0).toFixed(0)} ms of CPU); thread CPU ${threadCpuMs().toFixed(0)} ms so far`,
        );
      this.post({ type: 'done', id: m.id, runId });
    }
  }

  /** Every request chain starts at once: the critical path is the longest chain, not their sum. */
  private async logResult(fit: Fit, run: Run, m: FinishMessage): Promise<void> {
    const c = fit.client;
    const runId = run.info.run_id;
    const work: Array<Promise<unknown>> = [];
    if (m.metrics) fit.setMetrics(m.metrics);
    const plan = m.plan;
    if (plan) {
      work.push(
        timed(
          'tuning runs',
          fit.metrics.then((metrics) => this.logTuning(fit, run, plan, metrics, m.maxTuningRuns)),
        ),
      );
    } else {
      work.push(
        fit.metrics.then(async (metrics) => {
          if (Object.keys(metrics).length === 0) return;
          await c.logBatch(runId, {
            metrics: Object.entries(metrics).map(([key, value]) => ({ key, value })),
          });
        }),
      );
    }
    const model = m.model;
    if (model) {
      const profile = await fit.profile.catch(() => undefined);
      // profile.json as made ahead, when made of the same columns (its text is then the same)
      const profileJson = await fit.modelAhead?.profileText(model.profileColumns);
      const mlmodel = timedSync('model files completed', () =>
        completeModelFiles(model.mlmodel, model.files, runId, profile, model.profileColumns, profileJson),
      );
      work.push(
        timed(
          'model',
          (fit.modelAhead?.notUploaded(runId, model.files) ?? Promise.resolve(model.files)).then((files) =>
            uploadModelFiles(c, runId, model.artifactPath, mlmodel, files, model.registeredModelName),
          ),
        ),
      );
    } else if (fit.modelAhead) work.push(fit.modelAhead.drop(runId));
    // the requests above go out first; each plot is then drawn in its own event-loop turn (drawing is
    // synchronous CPU work), so answers are read and the next requests sent in between. Plots drawn ahead
    // go first (their upload costs no drawing), then the largest, so its upload overlaps the others' drawing.
    const ordered = m.plots
      .map(([file, spec]) => {
        const ahead = fit.drawn.get(file);
        const json = JSON.stringify(spec);
        return { file, spec, ahead: ahead?.spec === json ? ahead : undefined, size: json.length };
      })
      .sort((a, b) => Number(b.ahead !== undefined) - Number(a.ahead !== undefined) || b.size - a.size);
    const plots = ordered.map(async ({ file, spec, ahead }) => {
      const same = ahead !== undefined;
      await new Promise<void>((r) => setImmediate(r));
      const t = performance.now();
      if (same && (await ahead.uploaded)) return;
      const svg = same ? await ahead.svg : await this.draw(spec);
      if (TIMING)
        trace(`${file} ${same ? 'drawn ahead' : 'drawn'} in ${(performance.now() - t).toFixed(1)} ms`);
      await c.logText(runId, svg, `plots/${file}`);
      if (TIMING) trace(`${file} uploaded`);
    });
    work.push(timed('plots', Promise.all(plots)));
    await Promise.all(work);
  }

  /** Child runs per param map (those not complete yet), best params and metric on the parent, search results. */
  private async logTuning(
    fit: Fit,
    parent: Run,
    plan: TuningPlanData,
    training: Record<string, number>,
    maxTuningRuns: number,
  ): Promise<void> {
    const c = fit.client;
    const runId = parent.info.run_id;
    const { rows, metric, metricKey, larger } = plan;
    const trainingMetrics = Object.entries(training).map(([key, value]) => ({ key, value }));
    // what was logged ahead stands when the fitted model says the same; otherwise it is logged again
    // (the artifact is replaced; a different best param would be refused, MLflow params being immutable,
    // and reported as a warning — the validator's arithmetic is the model's, so neither is expected)
    const ahead = await fit.ahead;
    const { batch, dict } = parentTuningRecords(plan);
    const parentWork: Array<Promise<void>> = [];
    if (ahead?.batch === JSON.stringify(batch)) {
      if (trainingMetrics.length > 0) parentWork.push(c.logBatch(runId, { metrics: trainingMetrics }));
    } else {
      parentWork.push(c.logBatch(runId, { ...batch, metrics: [...batch.metrics, ...trainingMetrics] }));
    }
    if (ahead?.dict !== JSON.stringify(dict)) {
      parentWork.push(c.logDict(runId, dict, 'tuning/search_results.json'));
    }
    // the best `maxTuningRuns` maps get child runs (MLflow's max_tuning_runs), up to 12 created at once
    const order = [...rows].sort((a, b) => (larger ? b.metric - a.metric : a.metric - b.metric));
    const children = order.slice(0, maxTuningRuns);
    const limit = 12;
    for (let k = 0; k < children.length; k += limit) {
      await Promise.all(
        children.slice(k, k + limit).map(async (row) => {
          const ms = [{ key: metricKey, value: row.metric }];
          if (row.std !== undefined) ms.push({ key: `std_${metric}`, value: row.std });
          const pre = fit.children.get(row.index);
          const logged = await pre?.logged;
          const early = await pre?.run;
          if (logged && early) {
            // complete since the trials ended; the model's numbers are the truth should they ever differ
            if (!Object.is(logged.metric, row.metric) || !Object.is(logged.std, row.std))
              await c.logBatch(early.info.run_id, { metrics: ms });
            return;
          }
          if (fit.killed) return;
          let child = early;
          if (!child) {
            child = await c.createRun(parent.info.experiment_id, {
              runName: `${parent.info.run_name}-${row.index}`,
              tags: childTags(runId),
            });
            this.opened(fit, child);
          }
          if (fit.killed) return;
          await c.logBatch(child.info.run_id, { params: row.params, metrics: ms });
          await this.end(fit, child.info.run_id, 'FINISHED');
        }),
      );
    }
    await Promise.all(parentWork);
  }

  /** SIGINT / SIGTERM: every run this recorder opened and did not end yet ends KILLED (MLflow's status). */
  private async kill(): Promise<void> {
    const fits = [...this.fits.values()];
    for (const fit of fits) fit.killed = true;
    await Promise.all(
      fits.map(async (fit) => {
        // runs still being created are waited for (bounded by the caller's timeout), so none stays RUNNING
        await Promise.all([fit.started, ...[...fit.children.values()].map((ch) => ch.run)]).catch(
          () => undefined,
        );
        await Promise.all([...fit.open].map((id) => this.end(fit, id, 'KILLED').catch(() => undefined)));
      }),
    );
  }
}

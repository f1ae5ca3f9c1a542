/**
 * Ctrl-C (SIGINT) or SIGTERM while runs are open ends them KILLED, as MLflow does (its `start_run`
 * context manager ends the run KILLED on KeyboardInterrupt), instead of leaving them RUNNING forever.
 *
 * Node runs a signal listener only when the main thread returns to its event loop; our fits are
 * synchronous between awaits, so CrossValidator / TrainValidationSplit yield a turn after every trial
 * (ml's tuning) and the listener runs there; after a single long fit it runs when the fit returns.
 * autolog's logging thread ends its runs on its own core meanwhile. The listener is installed only while
 * a run is open (a process with no open run keeps Node's default: the signal ends it at once). It is
 * removed as it fires, so a second Ctrl-C ends the process at once; once the runs are ended (or after
 * KILL_WAIT_MS) the signal is raised again, so the process ends the way it would have without us
 * (exit status 128 + signal number) — unless the application listens to it too: then its listener has
 * already run and decides what happens next.
 */

type Killer = () => Promise<void>;

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** How long ending the runs may delay the exit. */
const KILL_WAIT_MS = 5000;

/** Open scopes by killer (a killer registered twice counts twice). */
const killers = new Map<Killer, number>();
let installed = false;

function onSignal(signal: NodeJS.Signals): void {
  uninstall();
  const all = [...killers.keys()];
  killers.clear();
  // another listener (the application's own) already got this signal and decides what happens next
  const others = process.listenerCount(signal) > 0;
  let raised = false;
  const raise = (): void => {
    if (raised) return;
    raised = true;
    clearTimeout(timer);
    if (!others) process.kill(process.pid, signal);
  };
  const timer = setTimeout(raise, KILL_WAIT_MS);
  void Promise.all(all.map((k) => k().catch(() => undefined))).then(raise);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, onSignal);
}

/**
 * @internal While the returned function is not called, SIGINT / SIGTERM call `killer` (which ends the
 * scope's open runs KILLED) before the process ends.
 */
export function _whileOpen(killer: Killer): () => void {
  killers.set(killer, (killers.get(killer) ?? 0) + 1);
  install();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (killers.get(killer) ?? 0) - 1;
    if (n > 0) killers.set(killer, n);
    else killers.delete(killer);
    if (killers.size === 0) uninstall();
  };
}

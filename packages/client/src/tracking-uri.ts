/**
 * Where the tracking server is: setTrackingUri() wins, then MLFLOW_TRACKING_URI, then MLflow's local
 * default address http://127.0.0.1:5000 (also `cauce server`'s default).
 */
let explicit: string | undefined;

export const DEFAULT_TRACKING_URI = 'http://127.0.0.1:5000';

export function setTrackingUriValue(uri: string | undefined): void {
  explicit = uri;
}

export function resolveTrackingUri(env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? (env.MLFLOW_TRACKING_URI || DEFAULT_TRACKING_URI);
}

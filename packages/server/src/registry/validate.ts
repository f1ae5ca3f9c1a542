/** Input rules of the registry (names, versions, aliases, stages), each failing with a message that says how to fix it. */
import { MODEL_STAGES, MlflowError, type ModelStage } from '@cauce/protocol';

export const MAX_MODEL_NAME_LENGTH = 256;
export const MAX_REGISTRY_TAG_VALUE_LENGTH = 100_000;
export const MAX_DESCRIPTION_LENGTH = 100_000;

/**
 * Registered-model names. `/`, `@`, `:`, `#`, `?`, `%` and backslashes are refused because they
 * would make `models:/<name>/<version>` and `models:/<name>@<alias>` ambiguous or smuggle path
 * syntax into URIs; control characters because they corrupt logs.
 */
export function validateModelName(name: unknown, what = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw MlflowError.invalid(
      `Missing value for required parameter '${what}'. Give the registered model a non-empty name.`,
    );
  }
  if (name.length > MAX_MODEL_NAME_LENGTH) {
    throw MlflowError.invalid(
      `Registered model name is ${name.length} characters long; the limit is ${MAX_MODEL_NAME_LENGTH}.`,
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\@:#?%]/.test(name)) {
    throw MlflowError.invalid(
      `Invalid registered model name '${printable(name)}': names may not contain control characters or any of / \\ @ : # ? %. Use letters, digits, '.', '_', '-' or spaces.`,
    );
  }
  return name;
}

export function parseVersion(version: unknown): number {
  const s = typeof version === 'number' ? String(version) : version;
  if (typeof s !== 'string' || !/^[1-9]\d{0,9}$/.test(s) || Number(s) > 2147483647) {
    throw MlflowError.invalid(
      `Model version must be a positive integer such as "3", got '${printable(String(version))}'.`,
    );
  }
  return Number(s);
}

/** MLflow's alias rule: `^[\w\-]*$`, not `latest`, not `v<digits>` (those read as versions). */
export function validateAlias(alias: unknown): string {
  if (typeof alias !== 'string' || alias === '') {
    throw MlflowError.invalid(`Missing value for required parameter 'alias'.`);
  }
  if (alias.length > 255 || !/^[\w-]+$/.test(alias)) {
    throw MlflowError.invalid(
      `Invalid alias '${printable(alias)}': use at most 255 letters, digits, '_' or '-' (e.g. champion).`,
    );
  }
  if (/^latest$/i.test(alias) || /^v\d+$/i.test(alias)) {
    throw MlflowError.invalid(
      `Alias '${alias}' is reserved: 'latest' and 'v<number>' name versions in models:/ URIs. Pick another alias.`,
    );
  }
  return alias;
}

/** Stages in any letter case → MLflow's canonical spelling. */
export function canonicalStage(stage: unknown): ModelStage {
  const s = typeof stage === 'string' ? stage.trim().toLowerCase() : '';
  const found = MODEL_STAGES.find((x) => x.toLowerCase() === s);
  if (!found) {
    throw MlflowError.invalid(
      `Invalid Model Version stage: '${printable(String(stage))}'. Value must be one of ${MODEL_STAGES.join(', ')}.`,
    );
  }
  return found;
}

/** Shows a value in an error message without control characters and without flooding it. */
export function printable(s: string): string {
  const clean = s.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return clean.length > 120 ? `${clean.slice(0, 120)}…` : clean;
}

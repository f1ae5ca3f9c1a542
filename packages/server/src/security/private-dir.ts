/**
 * Temporary directories the server creates are private to its user (mode 0700), so other local
 * users cannot read or swap files in them (CVE-2026-4137: MLflow's download dirs were 0777/0770).
 * mkdtemp already creates 0700; the explicit chmod keeps that true under any umask or platform.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makePrivateTempDir(prefix = 'cauce-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o700);
  return dir;
}

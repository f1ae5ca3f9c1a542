/**
 * MLflow's permission model (mlflow/server/auth/permissions.py): what each level may do.
 *
 * | level          | read | update | delete | manage |
 * |----------------|------|--------|--------|--------|
 * | READ           | yes  |        |        |        |
 * | EDIT           | yes  | yes    |        |        |
 * | MANAGE         | yes  | yes    | yes    | yes    |
 * | NO_PERMISSIONS |      |        |        |        |
 */
import { MlflowError, PERMISSION_LEVELS, type PermissionLevel } from '@cauce/protocol';

export type Capability = 'read' | 'update' | 'delete' | 'manage';

const GRANTS: Record<PermissionLevel, readonly Capability[]> = {
  READ: ['read'],
  EDIT: ['read', 'update'],
  MANAGE: ['read', 'update', 'delete', 'manage'],
  NO_PERMISSIONS: [],
};

export function allows(level: PermissionLevel, cap: Capability): boolean {
  return GRANTS[level].includes(cap);
}

export function parsePermission(p: unknown): PermissionLevel {
  if (typeof p !== 'string' || !(PERMISSION_LEVELS as readonly string[]).includes(p)) {
    throw MlflowError.invalid(
      `Invalid permission '${String(p).slice(0, 40)}'. Valid permissions are: ${PERMISSION_LEVELS.join(', ')}.`,
    );
  }
  return p as PermissionLevel;
}

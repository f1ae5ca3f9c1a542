/** MLflow's user and permission endpoints, plus Cauce's API tokens (create, list, revoke). */
import type { FastifyInstance } from 'fastify';
import { AUTH_ENDPOINTS, MlflowError } from '@cauce/protocol';
import { specEndpoint, type SpecHandler } from '../registry/routes.js';
import { validateModelName } from '../registry/validate.js';
import type { AuthStore, ResourceKind } from './auth-store.js';
import { checkPasswordStrength } from './passwords.js';
import { parsePermission } from './permissions.js';
import { currentUser } from './request-user.js';

export function authRoutes(app: FastifyInstance, store: AuthStore): void {
  const on = (name: string, h: SpecHandler) => specEndpoint(app, AUTH_ENDPOINTS, name, h);
  const me = (req: Parameters<SpecHandler>[1]) => {
    const u = currentUser(req);
    if (!u) throw new MlflowError('UNAUTHENTICATED', 'Sign in first.', 401);
    return u;
  };

  on('createUser', async (m) => {
    const u = await store.createUser(m.username as string, checkPasswordStrength(m.password));
    return { user: await store.describeUser(u.username) };
  });
  on('getUser', async (m) => ({ user: await store.describeUser(m.username as string) }));
  on('currentUser', async (_m, req) => ({ user: await store.describeUser(me(req).username) }));
  on('updateUserPassword', async (m) => {
    await store.setPassword(m.username as string, checkPasswordStrength(m.password));
  });
  on('updateUserAdmin', async (m) => {
    await store.setAdmin(m.username as string, m.is_admin === true);
  });
  on('deleteUser', async (m) => {
    await store.deleteUser(m.username as string);
  });
  on('createAccessToken', async (m, req) => {
    const days = m.expires_in_days as number | undefined;
    if (days !== undefined && (days < 1 || days > 3650)) {
      throw MlflowError.invalid('expires_in_days must be between 1 and 3650.');
    }
    const name = typeof m.name === 'string' && m.name !== '' ? m.name : 'token';
    // The secret is shown once, here; only its hash is kept.
    return store.createToken(me(req).id, name, days);
  });
  on('listAccessTokens', async (_m, req) => ({ tokens: await store.listTokens(me(req).id) }));
  on('revokeAccessToken', async (m, req) => {
    const u = me(req);
    await store.revokeToken(u.id, m.token_id as string, u.isAdmin);
  });

  for (const [kind, prefix, field] of [
    ['experiment', 'Experiment', 'experiment_id'],
    ['registered_model', 'RegisteredModel', 'name'],
  ] as const) {
    const resource = (m: Record<string, unknown>) => {
      const v = m[field];
      if (kind === 'registered_model') return validateModelName(v);
      if (typeof v !== 'string' || !/^\d{1,10}$/.test(v)) {
        throw MlflowError.invalid(`Invalid experiment_id '${String(v).slice(0, 40)}'.`);
      }
      return v;
    };
    const userId = async (m: Record<string, unknown>) =>
      Number((await store.requireUser(m.username as string)).id);
    const k: ResourceKind = kind;
    const key = kind === 'experiment' ? 'experiment_permission' : 'registered_model_permission';
    on(`create${prefix}Permission`, async (m) => {
      const uid = await userId(m);
      const permission = parsePermission(m.permission);
      await store.setPermission(k, resource(m), uid, permission, 'create');
      return { [key]: { [field]: resource(m), user_id: uid, permission } };
    });
    on(`get${prefix}Permission`, async (m) => {
      const uid = await userId(m);
      const permission = await store.getPermission(k, resource(m), uid);
      if (!permission)
        throw MlflowError.notFound(
          `No permission for user '${String(m.username)}' on ${kind} '${resource(m)}'.`,
        );
      return { [key]: { [field]: resource(m), user_id: uid, permission } };
    });
    on(`update${prefix}Permission`, async (m) => {
      await store.setPermission(k, resource(m), await userId(m), parsePermission(m.permission), 'update');
    });
    on(`delete${prefix}Permission`, async (m) => {
      await store.deletePermission(k, resource(m), await userId(m));
    });
  }
}

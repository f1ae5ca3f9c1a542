/**
 * `cauce server --auth`: authentication (HTTP basic or bearer API token) on every request, then
 * authorization per route from rules.ts, search results filtered to what the user may read, the
 * creator of an experiment or registered model given MANAGE, and a same-origin check on browser
 * writes (CSRF, cf. CVE-2025-1473). Hooks are installed on the root instance before any route, so
 * they cover every route registered later, present and future.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MlflowError, type PermissionLevel } from '@cauce/protocol';
import type { RDb } from '../registry/sql/context.js';
import type { RegistryStore } from '../registry/registry-store.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { isCrossOriginWrite } from '../security/browser-guard.js';
import { AuthStore, type ResourceKind } from './auth-store.js';
import { checkPasswordStrength } from './passwords.js';
import { allows, parsePermission } from './permissions.js';
import type { AuthUser } from './request-user.js';
import { authRoutes } from './routes.js';
import { buildRuleTable, ruleFor, type ExperimentLocator, type Need } from './rules.js';

export interface AuthOptions {
  /** Permission of users on resources they have no explicit permission for (MLflow's default: READ). */
  defaultPermission?: PermissionLevel;
  /** Password of the first admin; default: CAUCE_ADMIN_PASSWORD, else a random one printed once. */
  adminPassword?: string;
  adminUsername?: string;
  /** Where the one-time admin password is printed (default: stderr). */
  print?: (line: string) => void;
  /** Origins allowed to send state-changing browser requests besides the server's own. */
  trustedOrigins?: string[];
}

interface InstallDeps {
  db: RDb;
  tracking: TrackingStore;
  registry: RegistryStore;
}

declare module 'fastify' {
  interface FastifyRequest {
    cauceGrantDst?: string;
  }
}

/** Endpoints whose successful answers the onSend hook acts on; every other reply passes untouched. */
const AFTER_SUCCESS = new Set([
  'createExperiment',
  'createRegisteredModel',
  'copyModelVersion',
  'renameRegisteredModel',
  'deleteRegisteredModel',
  'searchExperiments',
  'searchRegisteredModels',
  'searchModelVersions',
]);

function deny(msg: string): MlflowError {
  return new MlflowError('PERMISSION_DENIED', msg, 403);
}

function unauthenticated(): MlflowError {
  return new MlflowError(
    'UNAUTHENTICATED',
    'You are not authenticated. Send HTTP basic credentials (Authorization: Basic …) or an API token (Authorization: Bearer cauce_…).',
    401,
  );
}

/** Request fields from the query string, the JSON body and the path, for locating resources. */
function fieldsOf(req: FastifyRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const q = (req.query ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(q)) out[k] = v;
  if (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) Object.assign(out, req.body);
  Object.assign(out, (req.params ?? {}) as Record<string, unknown>);
  return out;
}

const one = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
const many = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];

export async function installAuth(
  app: FastifyInstance,
  options: AuthOptions & InstallDeps,
): Promise<AuthStore> {
  const store = new AuthStore(options.db);
  const defaultPermission = parsePermission(options.defaultPermission ?? 'READ');
  const rules = buildRuleTable();

  if ((await store.countUsers()) === 0) {
    const username = options.adminUsername ?? 'admin';
    const given = options.adminPassword ?? process.env.CAUCE_ADMIN_PASSWORD;
    const password = given ?? randomBytes(18).toString('base64url');
    try {
      await store.createUser(username, given ? checkPasswordStrength(given) : password, true);
    } catch (err) {
      // Another server process (a --workers sibling, a replica) created it first: it printed the password.
      if (err instanceof MlflowError && err.errorCode === 'RESOURCE_ALREADY_EXISTS') return installHooks();
      throw err;
    }
    if (!given) {
      (options.print ?? ((l: string) => process.stderr.write(`${l}\n`)))(
        `cauce: created admin user '${username}' with one-time password ${password} — change it now (PATCH /api/2.0/mlflow/users/update-password).`,
      );
    }
  }

  return installHooks();

  function installHooks(): AuthStore {
    // Verifying scrypt costs ~50 ms, so a verified Authorization header is remembered briefly; the
    // entry is tied to the stored hash, so a password change ends it at once.
    const cache = new Map<string, { user: AuthUser; hash: string; until: number }>();
    async function authenticate(req: FastifyRequest): Promise<AuthUser | undefined> {
      const header = req.headers.authorization;
      if (typeof header !== 'string' || header.length > 4096) return undefined;
      const [scheme = '', value = ''] = header.split(/\s+/, 2);
      if (scheme.toLowerCase() === 'bearer') return store.checkToken(value);
      if (scheme.toLowerCase() !== 'basic') return undefined;
      const key = createHash('sha256').update(header).digest('hex');
      const hit = cache.get(key);
      if (hit && hit.until > Date.now()) {
        const row = await store.findUser(hit.user.username);
        if (row && row.password_hash === hit.hash) {
          return { id: Number(row.id), username: row.username, isAdmin: Number(row.is_admin) === 1 };
        }
        cache.delete(key);
      }
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) return undefined;
      const found = await store.checkPassword(decoded.slice(0, colon), decoded.slice(colon + 1));
      if (!found) return undefined;
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { user: found.user, hash: found.hash, until: Date.now() + 60_000 });
      return found.user;
    }

    async function level(user: AuthUser, kind: ResourceKind, resource: string): Promise<PermissionLevel> {
      if (user.isAdmin) return 'MANAGE';
      return (await store.getPermission(kind, resource, user.id)) ?? defaultPermission;
    }

    async function experimentsOf(
      from: ExperimentLocator,
      f: Record<string, unknown>,
      req: FastifyRequest,
    ): Promise<string[]> {
      switch (from) {
        case 'experiment_id':
          // No id means the Default experiment (MLflow's create-run does this), never "no check".
          return [many(f.experiment_id)[0] ?? '0'];
        case 'experiment_ids':
          return many(f.experiment_ids);
        case 'experiment_name': {
          const name = one(f.experiment_name);
          return name ? [(await options.tracking.getExperimentByName(name)).experiment_id] : [];
        }
        case 'run': {
          const id = one(f.run_id) ?? one(f.run_uuid);
          return id ? [(await options.tracking.getRun(id)).info.experiment_id] : [];
        }
        case 'run_ids': {
          const ids = many(f.run_ids);
          return Promise.all(ids.map(async (id) => (await options.tracking.getRun(id)).info.experiment_id));
        }
        case 'logged_model': {
          const id = one(f.model_id);
          return id ? [(await options.tracking.getLoggedModel(id)).info.experiment_id] : [];
        }
        case 'proxy_path': {
          // mlflow-artifacts:/<experiment_id>/<run_id>/artifacts/...: the first segment names the experiment.
          const wildcard =
            one((req.params as Record<string, unknown> | undefined)?.['*']) ?? one(f.path) ?? '';
          const first = wildcard.split('/')[0] ?? '';
          if (!/^\d{1,10}$/.test(first))
            throw deny('Only administrators may access artifacts outside an experiment.');
          return [first];
        }
      }
    }

    async function authorize(user: AuthUser, need: Need, req: FastifyRequest): Promise<void> {
      switch (need.kind) {
        case 'public':
        case 'user':
          return;
        case 'admin':
          if (!user.isAdmin) throw deny('This endpoint is for administrators only.');
          return;
        case 'self': {
          const f = fieldsOf(req);
          if (!user.isAdmin && one(f.username) !== user.username)
            throw deny('You may only see or change your own account.');
          return;
        }
        case 'experiment': {
          const f = fieldsOf(req);
          let ids: string[];
          try {
            ids = await experimentsOf(need.from, f, req);
          } catch (err) {
            // A missing run/experiment is the handler's 404 to report; it reveals nothing readable.
            if (err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return;
            throw err;
          }
          if (need.from === 'experiment_ids' && need.cap === 'read' && ids.length > 1) {
            // Searches over several experiments are narrowed to the readable ones (MLflow filters too).
            const readable: string[] = [];
            for (const id of ids) if (allows(await level(user, 'experiment', id), 'read')) readable.push(id);
            if (readable.length > 0 && req.body && typeof req.body === 'object' && !Array.isArray(req.body)) {
              (req.body as Record<string, unknown>).experiment_ids = readable;
              return;
            }
          }
          for (const id of ids) {
            if (!allows(await level(user, 'experiment', id), need.cap)) {
              throw deny(`Permission denied: you may not ${need.cap} experiment ${id}.`);
            }
          }
          return;
        }
        case 'model': {
          const f = fieldsOf(req);
          const name = one(f[need.field]);
          if (name === undefined) return; // the handler reports the missing field
          if (!allows(await level(user, 'registered_model', name), need.cap)) {
            throw deny(
              `Permission denied: you may not ${need.cap} registered model '${name.slice(0, 100)}'.`,
            );
          }
          if (req.routeOptions.url?.endsWith('model-versions/copy')) {
            const dst = one(f.dst_name);
            if (dst !== undefined) {
              const exists = await options.registry.getRegisteredModel(dst).then(
                () => true,
                () => false,
              );
              if (exists && !allows(await level(user, 'registered_model', dst), 'update')) {
                throw deny(`Permission denied: you may not update registered model '${dst.slice(0, 100)}'.`);
              }
              if (!exists) req.cauceGrantDst = dst;
            }
          }
          return;
        }
      }
    }

    const trusted = options.trustedOrigins ?? [];
    app.addHook('onRequest', async (req, reply) => {
      const rule = ruleFor(rules, req.method, req.routeOptions.url);
      if (rule.need.kind === 'public') return;
      if (isCrossOriginWrite(req.method, req.headers, trusted)) {
        throw deny(
          'Cross-origin request refused: state-changing requests must come from the server’s own origin.',
        );
      }
      const user = await authenticate(req);
      if (!user) {
        void reply.header('www-authenticate', 'Basic realm="cauce", charset="UTF-8"');
        throw unauthenticated();
      }
      req.cauceUser = user;
    });
    app.addHook('preHandler', async (req) => {
      const rule = ruleFor(rules, req.method, req.routeOptions.url);
      if (rule.need.kind === 'public') return;
      if (!req.cauceUser) throw unauthenticated();
      await authorize(req.cauceUser, rule.need, req);
    });
    // After success: creators get MANAGE, renames/deletes carry permissions along, searches are filtered.
    app.addHook('onSend', async (req, reply, payload) => {
      const user = req.cauceUser;
      if (!user || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
      const rule = ruleFor(rules, req.method, req.routeOptions.url);
      if (!AFTER_SUCCESS.has(rule.name)) return payload;
      const f = fieldsOf(req);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload) as Record<string, unknown>;
      } catch {
        return payload;
      }
      switch (rule.name) {
        case 'createExperiment':
          if (typeof body.experiment_id === 'string') {
            await store.setPermission('experiment', body.experiment_id, user.id, 'MANAGE', 'upsert');
          }
          return payload;
        case 'createRegisteredModel': {
          const name = (body.registered_model as { name?: string } | undefined)?.name;
          if (name) await store.setPermission('registered_model', name, user.id, 'MANAGE', 'upsert');
          return payload;
        }
        case 'copyModelVersion':
          if (req.cauceGrantDst)
            await store.setPermission('registered_model', req.cauceGrantDst, user.id, 'MANAGE', 'upsert');
          return payload;
        case 'renameRegisteredModel': {
          const [from, to] = [one(f.name), one(f.new_name)];
          if (from && to) await store.renameModelPermissions(from, to);
          return payload;
        }
        case 'deleteRegisteredModel': {
          const name = one(f.name);
          if (name) await store.dropModelPermissions(name);
          return payload;
        }
        case 'searchExperiments':
        case 'searchRegisteredModels':
        case 'searchModelVersions': {
          if (user.isAdmin) return payload;
          const [listKey, kind, idKey] =
            rule.name === 'searchExperiments'
              ? (['experiments', 'experiment', 'experiment_id'] as const)
              : rule.name === 'searchRegisteredModels'
                ? (['registered_models', 'registered_model', 'name'] as const)
                : (['model_versions', 'registered_model', 'name'] as const);
          const explicit = await store.permissionsOf(kind, user.id);
          const items = (body[listKey] as Record<string, unknown>[] | undefined) ?? [];
          body[listKey] = items.filter((it) =>
            allows(explicit.get(String(it[idKey])) ?? defaultPermission, 'read'),
          );
          return JSON.stringify(body);
        }
        default:
          return payload;
      }
    });

    authRoutes(app, store);
    return store;
  }
}

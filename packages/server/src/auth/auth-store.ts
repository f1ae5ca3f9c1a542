/**
 * Users, API tokens and per-resource permissions, in the tracking database (tables of migration
 * 0101_auth). Stateless like the tracking store: any number of server processes share it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { MlflowError, type PermissionLevel, type User } from '@cauce/protocol';
import { isUniqueViolation } from '../store/sql/context.js';
import type { RDb } from '../registry/sql/context.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { AuthUser } from './request-user.js';

export type ResourceKind = 'experiment' | 'registered_model';

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  is_admin: number;
}

const USERNAME = /^[\w.@+-]{1,256}$/;

export function validateUsername(u: unknown): string {
  if (typeof u !== 'string' || !USERNAME.test(u)) {
    throw MlflowError.invalid(
      `Invalid username '${String(u).slice(0, 60)}': use 1-256 letters, digits or . _ @ + - characters.`,
    );
  }
  return u;
}

function toAuthUser(r: UserRow): AuthUser {
  return { id: Number(r.id), username: r.username, isAdmin: Number(r.is_admin) === 1 };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export class AuthStore {
  constructor(private readonly db: RDb) {}

  async countUsers(): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async createUser(username: string, password: string, isAdmin = false): Promise<AuthUser> {
    validateUsername(username);
    const password_hash = await hashPassword(password);
    try {
      await this.db
        .insertInto('users')
        .values({ username, password_hash, is_admin: isAdmin ? 1 : 0 })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw MlflowError.exists(`User '${username}' already exists.`);
      throw err;
    }
    return toAuthUser(await this.requireUser(username));
  }

  async findUser(username: string): Promise<UserRow | undefined> {
    return (await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst()) as UserRow | undefined;
  }

  async requireUser(username: string): Promise<UserRow> {
    const u = await this.findUser(username);
    if (!u) throw MlflowError.notFound(`User with username=${username} not found`);
    return u;
  }

  async userById(id: number): Promise<UserRow | undefined> {
    return (await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()) as
      UserRow | undefined;
  }

  /** The user for a username/password pair, or undefined (same answer for unknown user and bad password). */
  async checkPassword(
    username: string,
    password: string,
  ): Promise<{ user: AuthUser; hash: string } | undefined> {
    const u = await this.findUser(username);
    // Hash even for unknown users, so timing does not reveal which usernames exist.
    const ok = await verifyPassword(password, u?.password_hash ?? DUMMY_HASH);
    return u && ok ? { user: toAuthUser(u), hash: u.password_hash } : undefined;
  }

  async setPassword(username: string, password: string): Promise<void> {
    await this.requireUser(username);
    const password_hash = await hashPassword(password);
    await this.db.updateTable('users').set({ password_hash }).where('username', '=', username).execute();
  }

  async setAdmin(username: string, isAdmin: boolean): Promise<void> {
    await this.requireUser(username);
    await this.db
      .updateTable('users')
      .set({ is_admin: isAdmin ? 1 : 0 })
      .where('username', '=', username)
      .execute();
  }

  async deleteUser(username: string): Promise<void> {
    const u = await this.requireUser(username);
    await this.db.deleteFrom('access_tokens').where('user_id', '=', u.id).execute();
    await this.db.deleteFrom('experiment_permissions').where('user_id', '=', u.id).execute();
    await this.db.deleteFrom('registered_model_permissions').where('user_id', '=', u.id).execute();
    await this.db.deleteFrom('users').where('id', '=', u.id).execute();
  }

  async describeUser(username: string): Promise<User> {
    const u = await this.requireUser(username);
    const [ep, mp] = await Promise.all([
      this.db.selectFrom('experiment_permissions').selectAll().where('user_id', '=', u.id).execute(),
      this.db.selectFrom('registered_model_permissions').selectAll().where('user_id', '=', u.id).execute(),
    ]);
    return {
      id: Number(u.id),
      username: u.username,
      is_admin: Number(u.is_admin) === 1,
      experiment_permissions: ep.map((p) => ({
        experiment_id: p.experiment_id,
        user_id: Number(p.user_id),
        permission: p.permission as PermissionLevel,
      })),
      registered_model_permissions: mp.map((p) => ({
        name: p.name,
        user_id: Number(p.user_id),
        permission: p.permission as PermissionLevel,
      })),
    };
  }

  // --- API tokens: `cauce_<id>_<secret>`; only sha256(secret) is stored ---

  async createToken(
    userId: number,
    name: string,
    expiresInDays?: number,
  ): Promise<{ token: string; token_id: string }> {
    const token_id = randomBytes(9).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const t = Date.now();
    await this.db
      .insertInto('access_tokens')
      .values({
        token_id,
        user_id: userId,
        name: name.slice(0, 256),
        token_hash: sha256(secret).toString('hex'),
        created_time: t,
        expires_time: expiresInDays ? t + expiresInDays * 86_400_000 : null,
        revoked: 0,
      })
      .execute();
    return { token: `cauce_${token_id}_${secret}`, token_id };
  }

  async listTokens(userId: number) {
    const rows = await this.db
      .selectFrom('access_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => ({
      token_id: r.token_id,
      name: r.name,
      created_time: Number(r.created_time),
      expires_time: r.expires_time === null ? undefined : Number(r.expires_time),
      revoked: Number(r.revoked) === 1,
    }));
  }

  async revokeToken(userId: number, tokenId: string, isAdmin: boolean): Promise<void> {
    let q = this.db.updateTable('access_tokens').set({ revoked: 1 }).where('token_id', '=', tokenId);
    if (!isAdmin) q = q.where('user_id', '=', userId);
    const r = await q.executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw MlflowError.notFound(`No access token with id ${tokenId}.`);
  }

  async checkToken(token: string): Promise<AuthUser | undefined> {
    const m = /^cauce_([0-9a-f]{18})_([\w-]{20,100})$/.exec(token);
    if (!m) return undefined;
    const row = await this.db
      .selectFrom('access_tokens')
      .selectAll()
      .where('token_id', '=', m[1]!)
      .executeTakeFirst();
    if (!row || Number(row.revoked) === 1) return undefined;
    if (row.expires_time !== null && Number(row.expires_time) < Date.now()) return undefined;
    const a = sha256(m[2]!);
    const b = Buffer.from(row.token_hash, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    const u = await this.userById(Number(row.user_id));
    return u ? toAuthUser(u) : undefined;
  }

  // --- permissions ---

  async getPermission(
    kind: ResourceKind,
    resource: string,
    userId: number,
  ): Promise<PermissionLevel | undefined> {
    const row =
      kind === 'experiment'
        ? await this.db
            .selectFrom('experiment_permissions')
            .select('permission')
            .where('experiment_id', '=', resource)
            .where('user_id', '=', userId)
            .executeTakeFirst()
        : await this.db
            .selectFrom('registered_model_permissions')
            .select('permission')
            .where('name', '=', resource)
            .where('user_id', '=', userId)
            .executeTakeFirst();
    return row?.permission as PermissionLevel | undefined;
  }

  /** Explicit permissions of one user on many resources (for filtering search results). */
  async permissionsOf(kind: ResourceKind, userId: number): Promise<Map<string, PermissionLevel>> {
    const rows =
      kind === 'experiment'
        ? (
            await this.db
              .selectFrom('experiment_permissions')
              .selectAll()
              .where('user_id', '=', userId)
              .execute()
          ).map((r) => [r.experiment_id, r.permission] as const)
        : (
            await this.db
              .selectFrom('registered_model_permissions')
              .selectAll()
              .where('user_id', '=', userId)
              .execute()
          ).map((r) => [r.name, r.permission] as const);
    return new Map(rows.map(([k, v]) => [k, v as PermissionLevel]));
  }

  async setPermission(
    kind: ResourceKind,
    resource: string,
    userId: number,
    permission: PermissionLevel,
    mode: 'create' | 'update' | 'upsert',
  ): Promise<void> {
    const existing = await this.getPermission(kind, resource, userId);
    if (mode === 'create' && existing !== undefined) {
      throw MlflowError.exists(
        `Permission for this user on ${kind} '${resource}' already exists; update it instead.`,
      );
    }
    if (mode === 'update' && existing === undefined) {
      throw MlflowError.notFound(`No permission for this user on ${kind} '${resource}'; create it first.`);
    }
    if (existing !== undefined) await this.deletePermission(kind, resource, userId, true);
    if (kind === 'experiment') {
      await this.db
        .insertInto('experiment_permissions')
        .values({ experiment_id: resource, user_id: userId, permission })
        .execute();
    } else {
      await this.db
        .insertInto('registered_model_permissions')
        .values({ name: resource, user_id: userId, permission })
        .execute();
    }
  }

  async deletePermission(kind: ResourceKind, resource: string, userId: number, quiet = false): Promise<void> {
    const r =
      kind === 'experiment'
        ? await this.db
            .deleteFrom('experiment_permissions')
            .where('experiment_id', '=', resource)
            .where('user_id', '=', userId)
            .executeTakeFirst()
        : await this.db
            .deleteFrom('registered_model_permissions')
            .where('name', '=', resource)
            .where('user_id', '=', userId)
            .executeTakeFirst();
    if (!quiet && Number(r.numDeletedRows) === 0) {
      throw MlflowError.notFound(`No permission for this user on ${kind} '${resource}'.`);
    }
  }

  async renameModelPermissions(oldName: string, newName: string): Promise<void> {
    await this.db
      .updateTable('registered_model_permissions')
      .set({ name: newName })
      .where('name', '=', oldName)
      .execute();
  }

  async dropModelPermissions(name: string): Promise<void> {
    await this.db.deleteFrom('registered_model_permissions').where('name', '=', name).execute();
  }
}

/** A valid hash of a random password, verified against for unknown users. */
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

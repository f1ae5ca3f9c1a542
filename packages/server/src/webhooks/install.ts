/** Webhook CRUD routes and the dispatcher the registry routes emit to. Administrators only (rules.ts). */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import {
  MlflowError,
  WEBHOOK_ENDPOINTS,
  WEBHOOK_EVENTS,
  type Webhook,
  type WebhookEvent,
} from '@cauce/protocol';
import type { RDb } from '../registry/sql/context.js';
import type { WebhooksTable } from '../registry/sql/schema.js';
import { specEndpoint, type SpecHandler } from '../registry/routes.js';
import { WebhookDispatcher, type DeliveryOptions } from './dispatcher.js';
import { sealSecret } from './secret-box.js';
import { checkWebhookUrl } from './url-policy.js';

export type WebhookOptions = DeliveryOptions;

function toWire(r: WebhooksTable): Webhook {
  const w: Webhook = {
    webhook_id: r.webhook_id,
    name: r.name,
    url: r.url,
    events: JSON.parse(r.events) as WebhookEvent[],
    status: r.status as Webhook['status'],
    creation_timestamp: Number(r.creation_time),
    last_updated_timestamp: Number(r.last_updated_time),
  };
  if (r.description !== null) w.description = r.description;
  return w;
}

function checkEvents(v: unknown): WebhookEvent[] {
  const list = (v as string[] | undefined) ?? [];
  if (list.length === 0) throw MlflowError.invalid(`Give at least one event: ${WEBHOOK_EVENTS.join(', ')}.`);
  for (const e of list) {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(e)) {
      throw MlflowError.invalid(
        `Unknown webhook event '${e.slice(0, 60)}'. Valid events: ${WEBHOOK_EVENTS.join(', ')}.`,
      );
    }
  }
  return [...new Set(list)] as WebhookEvent[];
}

function checkStatus(v: unknown): 'ACTIVE' | 'DISABLED' {
  if (v === undefined) return 'ACTIVE';
  if (v !== 'ACTIVE' && v !== 'DISABLED')
    throw MlflowError.invalid("Webhook status must be 'ACTIVE' or 'DISABLED'.");
  return v;
}

export function installWebhooks(
  app: FastifyInstance,
  options: WebhookOptions & { db: RDb },
): WebhookDispatcher {
  const { db } = options;
  const key = options.secretKey ?? process.env.CAUCE_WEBHOOK_SECRET_KEY;
  const dispatcher = new WebhookDispatcher(db, options);
  app.addHook('onClose', async () => dispatcher.idle());
  const on = (name: string, h: SpecHandler) => specEndpoint(app, WEBHOOK_ENDPOINTS, name, h);
  const get = async (id: string) => {
    const r = await db.selectFrom('webhooks').selectAll().where('webhook_id', '=', id).executeTakeFirst();
    if (!r) throw MlflowError.notFound(`Webhook with id=${id.slice(0, 64)} not found.`);
    return r;
  };

  on('createWebhook', async (m) => {
    await checkWebhookUrl(m.url as string, options);
    const t = Date.now();
    const row: WebhooksTable = {
      webhook_id: randomUUID().replace(/-/g, ''),
      name: String(m.name).slice(0, 256),
      url: m.url as string,
      events: JSON.stringify(checkEvents(m.events)),
      secret: typeof m.secret === 'string' && m.secret !== '' ? sealSecret(m.secret, key) : null,
      description: typeof m.description === 'string' ? m.description : null,
      status: checkStatus(m.status),
      creation_time: t,
      last_updated_time: t,
    };
    await db.insertInto('webhooks').values(row).execute();
    return { webhook: toWire(row) };
  });
  on('listWebhooks', async () => ({
    webhooks: (await db.selectFrom('webhooks').selectAll().orderBy('creation_time').execute()).map(toWire),
  }));
  on('getWebhook', async (m) => ({ webhook: toWire(await get(m.webhook_id as string)) }));
  on('updateWebhook', async (m) => {
    const r = await get(m.webhook_id as string);
    if (typeof m.url === 'string') await checkWebhookUrl(m.url, options);
    const next: WebhooksTable = {
      ...r,
      name: typeof m.name === 'string' ? m.name.slice(0, 256) : r.name,
      url: typeof m.url === 'string' ? m.url : r.url,
      events: m.events !== undefined ? JSON.stringify(checkEvents(m.events)) : r.events,
      secret: typeof m.secret === 'string' ? (m.secret ? sealSecret(m.secret, key) : null) : r.secret,
      description: typeof m.description === 'string' ? m.description : r.description,
      status: m.status !== undefined ? checkStatus(m.status) : (r.status as 'ACTIVE'),
      last_updated_time: Date.now(),
    };
    await db.updateTable('webhooks').set(next).where('webhook_id', '=', r.webhook_id).execute();
    return { webhook: toWire(next) };
  });
  on('deleteWebhook', async (m) => {
    const r = await get(m.webhook_id as string);
    await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', r.webhook_id).execute();
    await db.deleteFrom('webhooks').where('webhook_id', '=', r.webhook_id).execute();
  });
  on('listWebhookDeliveries', async (m) => {
    const r = await get(m.webhook_id as string);
    const rows = await db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('webhook_id', '=', r.webhook_id)
      .orderBy('timestamp')
      .orderBy('attempt')
      .execute();
    return {
      deliveries: rows.map((d) => ({
        delivery_id: d.delivery_id,
        webhook_id: d.webhook_id,
        event: d.event,
        attempt: Number(d.attempt),
        status_code: d.status_code === null ? undefined : Number(d.status_code),
        error: d.error ?? undefined,
        success: Number(d.success) === 1,
        timestamp: Number(d.timestamp),
      })),
    };
  });
  return dispatcher;
}

/**
 * Delivers registry events to webhooks: a JSON POST signed with HMAC-SHA256 over the exact body
 * (`X-Cauce-Signature: sha256=<hex>`, also sent as `X-MLflow-Signature` for MLflow receivers),
 * retried with exponential backoff on network errors, timeouts and non-2xx answers, every attempt
 * written to the delivery log. Redirects are not followed (a redirect could point inside).
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import { isIP } from 'node:net';
import https from 'node:https';
import type { WebhookEvent } from '@cauce/protocol';
import type { RDb } from '../registry/sql/context.js';
import type { RegistryEventSink } from './events.js';
import { openSecret } from './secret-box.js';
import { checkWebhookUrl, guardedLookup, type UrlPolicy } from './url-policy.js';

export interface DeliveryOptions extends UrlPolicy {
  /** Attempts per event (default 4). */
  maxAttempts?: number;
  /** First retry delay in ms, doubled each time (default 1000). */
  backoffMs?: number;
  /** Per-attempt timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** Key that encrypts webhook secrets at rest (default: CAUCE_WEBHOOK_SECRET_KEY). */
  secretKey?: string;
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: DeliveryOptions,
): Promise<number> {
  // Sockets skip `lookup` for IP literals, so those are checked here (the policy may have changed).
  if (isIP(new URL(url).hostname.replace(/^\[|\]$/g, ''))) await checkWebhookUrl(url, opts);
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(opts),
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

export class WebhookDispatcher implements RegistryEventSink {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: RDb,
    private readonly opts: DeliveryOptions = {},
  ) {}

  emit(event: WebhookEvent, payload: Record<string, unknown>): void {
    const p = this.deliverAll(event, payload).catch(() => undefined);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async deliverAll(event: WebhookEvent, payload: Record<string, unknown>): Promise<void> {
    const hooks = await this.db.selectFrom('webhooks').selectAll().where('status', '=', 'ACTIVE').execute();
    await Promise.all(
      hooks
        .filter((h) => (JSON.parse(h.events) as string[]).includes(event))
        .map((h) => this.deliver(h.webhook_id, h.url, h.secret, event, payload)),
    );
  }

  private async log(
    webhookId: string,
    deliveryId: string,
    event: WebhookEvent,
    attempt: number,
    status: number | undefined,
    error: string | undefined,
  ): Promise<void> {
    await this.db
      .insertInto('webhook_deliveries')
      .values({
        delivery_id: `${deliveryId}-${attempt}`,
        webhook_id: webhookId,
        event,
        attempt,
        status_code: status ?? null,
        error: error ?? null,
        success: error === undefined ? 1 : 0,
        timestamp: Date.now(),
      })
      .execute()
      .catch(() => undefined);
  }

  private async deliver(
    webhookId: string,
    url: string,
    secret: string | null,
    event: WebhookEvent,
    payload: Record<string, unknown>,
  ): Promise<void> {
    const deliveryId = randomUUID();
    const body = JSON.stringify({ event, delivery_id: deliveryId, timestamp: Date.now(), data: payload });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'cauce-webhooks/0.1',
      'x-cauce-event': event,
      'x-cauce-delivery': deliveryId,
    };
    if (secret) {
      let clear: string;
      try {
        clear = openSecret(secret, this.opts.secretKey ?? process.env.CAUCE_WEBHOOK_SECRET_KEY);
      } catch (err) {
        await this.log(webhookId, deliveryId, event, 1, undefined, (err as Error).message);
        return;
      }
      const sig = signBody(clear, body);
      headers['x-cauce-signature'] = sig;
      headers['x-mlflow-signature'] = sig;
    }
    const attempts = this.opts.maxAttempts ?? 4;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let status: number | undefined;
      let error: string | undefined;
      try {
        status = await post(url, body, headers, this.opts);
        if (status < 200 || status >= 300) error = `HTTP ${status}`;
      } catch (err) {
        error = (err as Error).message.slice(0, 500);
      }
      await this.log(webhookId, deliveryId, event, attempt, status, error);
      if (error === undefined) return;
      if (attempt < attempts) {
        await new Promise((r) => setTimeout(r, (this.opts.backoffMs ?? 1000) * 2 ** (attempt - 1)));
      }
    }
  }
}

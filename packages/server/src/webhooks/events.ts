/** The seam between the registry and webhook delivery: routes emit, a dispatcher (or nothing) listens. */
import type { WebhookEvent } from '@cauce/protocol';

export interface RegistryEventSink {
  /** Must not throw and must not block the request: delivery happens in the background. */
  emit(event: WebhookEvent, payload: Record<string, unknown>): void;
}

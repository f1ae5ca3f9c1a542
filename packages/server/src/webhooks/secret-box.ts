/**
 * Webhook secrets at rest. The server needs the secret itself to sign deliveries, so it cannot keep
 * only a hash. When the operator sets CAUCE_WEBHOOK_SECRET_KEY (or `secretKey`), secrets are stored
 * AES-256-GCM encrypted (`enc:v1:<iv>:<tag>:<ciphertext>`, base64), the role Fernet plays for
 * MLflow's MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY; without a key they are stored as given.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

function keyOf(secretKey: string): Buffer {
  return createHash('sha256').update(secretKey).digest();
}

export function sealSecret(secret: string, secretKey: string | undefined): string {
  if (!secretKey) return secret;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secretKey), iv);
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
}

/** The clear secret, or an Error saying why it cannot be recovered. */
export function openSecret(stored: string, secretKey: string | undefined): string {
  if (!stored.startsWith(PREFIX)) return stored;
  if (!secretKey) throw new Error('the webhook secret is encrypted but CAUCE_WEBHOOK_SECRET_KEY is not set');
  const [iv = '', tag = '', ct = ''] = stored.slice(PREFIX.length).split(':');
  try {
    const d = createDecipheriv('aes-256-gcm', keyOf(secretKey), Buffer.from(iv, 'base64'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new Error('the webhook secret cannot be decrypted with the configured CAUCE_WEBHOOK_SECRET_KEY');
  }
}

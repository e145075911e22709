import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * CRM tokens at rest: AES-256-GCM with a key only the server holds (`CRM_TOKEN_KEY`, or on the
 * local stack one derived from its own secrets). A sealed token is `iv (12) | tag (16) | ciphertext`;
 * a token sealed under another key, or changed, does not open.
 */
export interface Sealer {
  seal(plain: string): Buffer;
  open(sealed: Buffer): string;
}

export function createSealer(key: Buffer): Sealer {
  if (key.length !== 32) throw new Error('CRM_TOKEN_KEY must be 32 bytes (base64)');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

/** A key for the local stack, from a secret it already keeps (never used with hosted Supabase). */
export const localSealKey = (secret: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'switchboard', 'crm tokens', 32));

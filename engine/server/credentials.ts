/** Unguessable credentials, and comparisons that do not leak timing. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const newSessionId = (): string => randomBytes(9).toString('base64url');
/** 192 bits: the facilitator's bearer token. Only its hash is stored. */
export const newToken = (): string => randomBytes(24).toString('base64url');
/** 96 bits, short enough to read out on a call: the responder and observer join codes. */
export const newCode = (): string => randomBytes(12).toString('base64url');

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

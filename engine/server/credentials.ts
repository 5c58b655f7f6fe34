/** Unguessable credentials, and comparisons that do not leak timing. */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const newSessionId = (): string => randomBytes(9).toString('base64url');
/** 192 bits: the facilitator's bearer token. Only its hash is stored. */
export const newToken = (): string => randomBytes(24).toString('base64url');
/** 192 bits: a participant's token, kept by their browser. Only its hash is stored. */
export const newParticipantToken = (): string => randomBytes(24).toString('base64url');
export const newInviteId = (): string => `i-${randomBytes(6).toString('base64url')}`;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * A secret derived from the facilitator's token: the join codes and invite links. The server keeps
 * only their hashes, yet the facilitator can always be shown them again, because whoever holds the
 * token can derive them. 96 bits, short enough to read out on a call.
 */
export function deriveSecret(facilitatorToken: string, sessionId: string, purpose: string): string {
  return createHmac('sha256', facilitatorToken).update(`sevdrill:${sessionId}:${purpose}`).digest().subarray(0, 12).toString('base64url');
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when `secret` hashes to `hash`: both sides are fixed-length hex, so the comparison is constant-time. */
export const matchesHash = (secret: string, hash: string): boolean => safeEqual(hashToken(secret), hash);

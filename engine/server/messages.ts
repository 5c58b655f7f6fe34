/** Validation of untrusted client frames. A bad frame gets an error message; it never throws. */
import { z } from 'zod';
import { PROTOCOL_VERSION, type ClientMessage } from '../protocol.ts';

const params = z.record(z.string().max(64), z.union([z.string().max(2000), z.number().finite(), z.boolean()]));
const id = z.string().min(1).max(128);

const schemas = {
  hello: z.object({
    type: z.literal('hello'),
    v: z.literal(PROTOCOL_VERSION),
    sessionId: id,
    token: z.string().max(256).optional(),
    participantToken: z.string().max(256).optional(),
    invite: z.string().max(256).optional(),
    code: z.string().max(256).optional(),
    // The name's own rules (normalisation, 64 characters, uniqueness) are the roster's; this only bounds the work.
    name: z.string().max(1024).optional(),
    device: z.string().min(1).max(64).optional(),
    lastSeq: z.number().int().min(-1).optional(),
  }),
  action: z.object({
    type: z.literal('action'),
    clientActionId: id,
    action: z.string().min(1).max(64),
    target: z.string().max(128).optional(),
    params: params.optional(),
    sessionId: id.optional(),
  }),
  control: z.object({
    type: z.literal('control'),
    command: z.enum(['start', 'pause', 'resume', 'speed', 'inject', 'end']),
    clientActionId: id.optional(),
    speed: z.number().optional(),
    fault: z.string().max(128).optional(),
  }),
};

export type Parsed = { ok: true; message: ClientMessage } | { ok: false; code: string; message: string; path?: string; clientActionId?: string };

export function parseClientMessage(raw: string): Parsed {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'bad-json', message: 'the message is not valid JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, code: 'bad-message', message: 'a message must be a JSON object with a "type"' };
  }
  const type = (data as { type?: unknown }).type;
  const clientActionId = typeof (data as { clientActionId?: unknown }).clientActionId === 'string' ? (data as { clientActionId: string }).clientActionId.slice(0, 128) : undefined;
  // Own keys only: "__proto__" or "constructor" must not find Object.prototype's members.
  const schema = typeof type === 'string' && Object.hasOwn(schemas, type) ? schemas[type as keyof typeof schemas] : undefined;
  if (!schema) {
    return { ok: false, code: 'unknown-type', message: `unknown message type ${JSON.stringify(type)}; expected hello, action or control`, ...(clientActionId ? { clientActionId } : {}) };
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    return { ok: false, code: 'bad-message', message: `${type}: ${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`, path, ...(clientActionId ? { clientActionId } : {}) };
  }
  return { ok: true, message: result.data as ClientMessage };
}

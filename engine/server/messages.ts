/**
 * Validation of untrusted client frames with the protocol's schemas (engine/protocol/messages-schema.ts).
 * A bad frame gets an error message; it never throws.
 */
import { z } from 'zod';
import type { ClientMessage } from '../protocol/messages.ts';
import { actionMessageSchema, controlMessageSchema, helloMessageSchema } from '../protocol/messages-schema.ts';

const schemas = {
  hello: helloMessageSchema,
  action: actionMessageSchema,
  // The speed range is checked once the sender is known to be the facilitator (socket.ts: `bad-speed`),
  // so a frame is refused here only for its shape.
  control: controlMessageSchema.extend({ speed: z.number().optional() }),
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
  const type: unknown = Object.hasOwn(data, 'type') ? Reflect.get(data, 'type') : undefined;
  const sentId: unknown = Object.hasOwn(data, 'clientActionId') ? Reflect.get(data, 'clientActionId') : undefined;
  const clientActionId = typeof sentId === 'string' ? sentId.slice(0, 128) : undefined;
  // Own keys only: "__proto__" or "constructor" must not find Object.prototype's members.
  const schema = typeof type === 'string' && Object.hasOwn(schemas, type) ? schemas[type as keyof typeof schemas] : undefined;
  if (!schema) {
    return { ok: false, code: 'unknown-type', message: `unknown message type ${JSON.stringify(type)}; expected hello, action or control`, ...(clientActionId ? { clientActionId } : {}) };
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    return { ok: false, code: 'bad-message', message: `${String(type)}: ${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`, path, ...(clientActionId ? { clientActionId } : {}) };
  }
  return { ok: true, message: result.data };
}

/**
 * Structured logs (pino, one JSON object a line) and the request log: every request gets an id that
 * the client sees (X-Request-Id, and `requestId` in error bodies) and the log line carries (`reqId`),
 * so a user's bug report finds its line. Only the path is logged: query strings carry join codes
 * (`?code=`) and headers carry bearer tokens.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { pino } from 'pino';

export type Logger = import('pino').Logger;

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requestLogger. */
    id?: string;
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SECRET_KEYS = ['authorization', 'cookie', 'token', 'code', 'participantToken', 'facilitatorToken', 'responderCode', 'observerCode', 'invite'];

/**
 * An error code chosen by the server (`bad-seed`), as opposed to a join code. `code` is redacted
 * everywhere as a second line of defence, and only values wrapped in this class get through the
 * censor; JSON.stringify writes them out as the plain string.
 */
class ErrorCode {
  constructor(readonly value: string) {}
  toJSON(): string {
    return this.value;
  }
}

export function createLogger(options: { level?: string; destination?: (line: string) => void } = {}): Logger {
  const level = options.level ?? process.env.SEVDRILL_LOG_LEVEL ?? 'info';
  if (!LEVELS.includes(level)) throw new Error(`log level "${level}" is not one of ${LEVELS.join(', ')} (set SEVDRILL_LOG_LEVEL to one of them)`);
  const { destination } = options;
  // Synchronous stderr: the last lines before a crash are the ones that matter.
  const stream = destination ? { write: (line: string) => destination(line.endsWith('\n') ? line.slice(0, -1) : line) } : pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
        censor: (value: unknown) => (value instanceof ErrorCode ? value : '[Redacted]'),
      },
    },
    stream,
  );
}

interface Recorded {
  code: string;
  message: string;
  error?: unknown;
}

/** What sendError recorded for the request log; keyed by the response so nothing leaks between requests. */
const recorded = new WeakMap<ServerResponse, Recorded>();
const requestIds = new WeakMap<ServerResponse, string>();

const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    // A proxy's id is kept so its logs and ours line up; anything odd is replaced, never echoed.
    const id = incoming !== undefined && INCOMING_ID.test(incoming) ? incoming : randomBytes(9).toString('base64url');
    req.id = id;
    res.locals.requestId = id;
    requestIds.set(res, id);
    res.setHeader('X-Request-Id', id);

    const started = process.hrtime.bigint();
    const method = req.method;
    // originalUrl survives routers rewriting req.url; everything from '?' on is dropped.
    const path = req.originalUrl.split('?', 1)[0] ?? '';
    let done = false;
    const log = () => {
      if (done) return;
      done = true;
      const status = res.statusCode;
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      const error = recorded.get(res);
      const aborted = !res.writableFinished;
      const fields: Record<string, unknown> = { reqId: id, method, path, status, ms };
      if (aborted) fields.aborted = true;
      if (error) fields.code = new ErrorCode(error.code);
      if (error?.error !== undefined && status >= 500) fields.err = error.error instanceof Error ? error.error : { message: String(error.error) };
      const msg = `${status} ${method} ${path}${error ? ` ${error.code}: ${error.message}` : ''}${aborted ? ' (client went away)' : ''}`;
      if (status >= 500) logger.error(fields, msg);
      else if (status >= 400) logger.warn(fields, msg);
      else logger.debug(fields, msg);
    };
    // 'close' alone covers responses cut off before they finished.
    res.once('finish', log);
    res.once('close', log);
    next();
  };
}

export function sendError(res: Response, status: number, code: string, message: string, error?: unknown): void {
  recorded.set(res, error === undefined ? { code, message } : { code, message, error });
  if (res.headersSent) {
    // Too late for a JSON body: cutting the connection tells the client the response is incomplete,
    // where ending it would make a truncated stream look whole.
    if (!res.writableEnded) res.destroy();
    return;
  }
  res.status(status).json({ ok: false, code, message, requestId: requestIds.get(res) });
}

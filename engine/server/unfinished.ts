/**
 * Whether a WebSocket is in the middle of receiving a message: a fragmented message without its
 * final frame, or a frame whose payload has not all arrived. ws buffers these silently and offers no
 * public way to ask, so this reads its receiver's state. If a ws upgrade changes those internals the
 * answer is "no" (never a crash), and test/server/abuse.test.ts, which sends a fragment that never
 * finishes, fails and says so.
 */
import type { WebSocket } from 'ws';

interface ReceiverState {
  _fragmented?: unknown;
  _bufferedBytes?: unknown;
  _state?: unknown;
}

export function isMidMessage(ws: WebSocket): boolean {
  const receiver = (ws as unknown as { _receiver?: ReceiverState | null })._receiver;
  if (!receiver) return false;
  const fragmented = typeof receiver._fragmented === 'number' && receiver._fragmented !== 0;
  const partialFrame = typeof receiver._bufferedBytes === 'number' && receiver._bufferedBytes > 0;
  // State 0 is "waiting for the next frame header" and 6 "a whole message waits to be handed over"
  // (one per turn: allowSynchronousEvents is off); anything else is part-way through a frame.
  const inFrame = typeof receiver._state === 'number' && receiver._state !== 0 && receiver._state !== 6;
  return fragmented || partialFrame || inFrame;
}

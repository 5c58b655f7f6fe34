// The store's checkpointer, on its own thread. The main connection commits to the WAL without an
// fsync (synchronous=NORMAL) and never checkpoints (wal_autocheckpoint=0), so no live drill's tick
// ever waits on the disk; this thread fsyncs the WAL and copies it into the database every interval.
// Plain JavaScript: it needs nothing from the project, so it does not load tsx.
import Database from 'better-sqlite3';
import { clearInterval, setInterval } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';

const { file, intervalMs } = workerData;
// Never create the file: if it is gone, the store that started us is gone too.
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');

const checkpoint = () => {
  try {
    // PASSIVE: never blocks the main connection's writers or readers; what it cannot copy now waits
    // for the next round.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort?.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};

const timer = setInterval(checkpoint, intervalMs);
parentPort?.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort?.close();
});

/** Computations shared between requests: joined while under way, forgotten once settled. */
import { describe, expect, it } from 'vitest';
import { SharedJobs } from '../../engine/server/shared-jobs.ts';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SharedJobs', () => {
  it('a request for a part under way joins that job; another part starts its own', async () => {
    const jobs = new SharedJobs<string, string>();
    const first = deferred<string>();
    let started = 0;
    const start = (d: { promise: Promise<string> }) => () => {
      started++;
      return d.promise;
    };
    const a = jobs.join('d1|10', 'html', ['score', 'html'], start(first));
    const b = jobs.join('d1|10', 'score', ['score'], start(deferred<string>()));
    const other = deferred<string>();
    const c = jobs.join('d1|10', 'md', ['score', 'md'], start(other));
    expect(started).toBe(2);
    expect(jobs.under('d1|10').map((j) => j.parts)).toEqual([['score', 'html'], ['score', 'md']]);
    first.resolve('one');
    other.resolve('two');
    expect(await Promise.all([a, b, c])).toEqual(['one', 'one', 'two']);
    expect(jobs.under('d1|10')).toEqual([]);
  });

  it('forgets a failed job, so the next request starts afresh', async () => {
    const jobs = new SharedJobs<string, string>();
    const failing = deferred<string>();
    const a = jobs.join('k', 'x', ['x'], () => failing.promise);
    failing.reject(new Error('worker died'));
    await expect(a).rejects.toThrow('worker died');
    expect(jobs.under('k')).toEqual([]);
    expect(await jobs.join('k', 'x', ['x'], () => Promise.resolve('again'))).toBe('again');
  });
});

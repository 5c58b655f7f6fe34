/**
 * Computations under way, by key, shared between the requests that need them: a request joins a job
 * for the same key whose parts include the part it needs, or starts one. A job leaves the table when
 * it settles, so a failure is never handed to a later request.
 */
export interface SharedJob<Part, Result> {
  readonly parts: readonly Part[];
  readonly done: Promise<Result>;
}

export class SharedJobs<Part, Result> {
  private readonly byKey = new Map<string, SharedJob<Part, Result>[]>();

  /** The jobs under way for `key`. */
  under(key: string): readonly SharedJob<Part, Result>[] {
    return this.byKey.get(key) ?? [];
  }

  /** The result of the job under way for `key` that includes `part`, or of a new one computing `parts`. */
  join(key: string, part: Part, parts: readonly Part[], start: () => Promise<Result>): Promise<Result> {
    const running = this.under(key).find((j) => j.parts.includes(part));
    if (running) return running.done;
    const job: SharedJob<Part, Result> = {
      parts,
      done: start().finally(() => {
        const left = this.under(key).filter((j) => j !== job);
        if (left.length > 0) this.byKey.set(key, left);
        else this.byKey.delete(key);
      }),
    };
    this.byKey.set(key, [...this.under(key), job]);
    return job.done;
  }
}

export class TimeoutError extends Error {
  constructor(milliseconds: number) {
    super(`timed out after ${milliseconds} ms`);
    this.name = "TimeoutError";
  }
}

/** Settles with `promise`, or rejects with TimeoutError once `milliseconds` pass. */
export function withTimeout<Value>(promise: Promise<Value>, milliseconds: number): Promise<Value> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(milliseconds)), milliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

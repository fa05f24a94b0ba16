/**
 * The few Redis commands LiveLoot uses, over Upstash's REST API (https://upstash.com/docs/redis/
 * features/restapi): `POST {url}` with the command as a JSON array answers `{"result": …}` or
 * `{"error": "…"}`; `POST {url}/pipeline` with an array of commands answers one such object per
 * command, in order, and `POST {url}/multi-exec` does the same as one atomic transaction (a
 * transaction Redis discards whole answers a single `{"error": "…"}`). Strings travel as UTF-8
 * text (no `Upstash-Encoding: base64`).
 *
 * Why not `@upstash/redis`: its client carries a method for every Redis command and weighs
 * 17 KiB of the Worker's 150 KiB gzip budget, for the nine commands used here. Values are
 * JSON-encoded on write and decoded on read, as that client does, so stored data is the same.
 */

type Argument = string | number;

/** Upstash answered an error for a command, or the request itself failed. */
export class UpstashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UpstashError";
  }
}

/** Reads a result as the JSON value it was written as, when it is one. */
function decodeValue(value: unknown): unknown {
  if (typeof value !== "string") return Array.isArray(value) ? value.map(decodeValue) : value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function encodeValue(value: unknown): Argument {
  return typeof value === "string" || typeof value === "number" ? value : JSON.stringify(value);
}

function readReply(reply: unknown): unknown {
  if (typeof reply === "object" && reply !== null && "error" in reply) {
    throw new UpstashError(`Upstash: ${String((reply as { error: unknown }).error)}`);
  }
  if (typeof reply !== "object" || reply === null || !("result" in reply)) {
    throw new UpstashError("Upstash answered something that is not a result");
  }
  return decodeValue((reply as { result: unknown }).result);
}

/**
 * Commands queued for one round trip; `exec` answers their results in order. Sent to `/pipeline`
 * (other clients' commands may interleave) or, from `UpstashRedis.multi()`, to `/multi-exec` (atomic).
 */
export class UpstashPipeline {
  private readonly commands: Argument[][] = [];

  constructor(
    private readonly client: UpstashRedis,
    private readonly path: "/pipeline" | "/multi-exec" = "/pipeline",
  ) {}

  get(key: string): this {
    return this.push(["GET", key]);
  }

  hmget(key: string, ...fields: string[]): this {
    return this.push(["HMGET", key, ...fields]);
  }

  /** `fieldsAndValues`: field, value, field, value, … */
  hset(key: string, ...fieldsAndValues: string[]): this {
    return this.push(["HSET", key, ...fieldsAndValues]);
  }

  mget(...keys: string[]): this {
    return this.push(["MGET", ...keys]);
  }

  set(key: string, value: unknown, options: { ex?: number } = {}): this {
    return this.push(["SET", key, encodeValue(value), ...(options.ex === undefined ? [] : ["EX", options.ex])]);
  }

  del(...keys: string[]): this {
    return this.push(["DEL", ...keys]);
  }

  sadd(key: string, ...members: string[]): this {
    return this.push(["SADD", key, ...members]);
  }

  srandmember(key: string, count: number): this {
    return this.push(["SRANDMEMBER", key, count]);
  }

  /** `NX`: only when the key has no expiry yet (Redis 7), so a repeat never extends it. */
  expire(key: string, seconds: number, condition?: "NX"): this {
    return this.push(["EXPIRE", key, seconds, ...(condition === undefined ? [] : [condition])]);
  }

  ttl(key: string): this {
    return this.push(["TTL", key]);
  }

  incr(key: string): this {
    return this.push(["INCR", key]);
  }

  decr(key: string): this {
    return this.push(["DECR", key]);
  }

  async exec<Results extends unknown[] = unknown[]>(): Promise<Results> {
    if (this.commands.length === 0) return [] as unknown as Results;
    const replies = await this.client.request(this.path, this.commands);
    if (!Array.isArray(replies)) readReply(replies);
    if (!Array.isArray(replies) || replies.length !== this.commands.length) {
      throw new UpstashError("Upstash answered a pipeline with the wrong number of results");
    }
    return replies.map(readReply) as Results;
  }

  private push(command: Argument[]): this {
    this.commands.push(command);
    return this;
  }
}

export class UpstashRedis {
  private readonly url: string;

  constructor(options: { url: string; token: string }) {
    this.url = options.url.replace(/\/+$/, "");
    this.token = options.token;
  }

  private readonly token: string;

  pipeline(): UpstashPipeline {
    return new UpstashPipeline(this);
  }

  /** A transaction: the queued commands run together, nothing between them (`/multi-exec`). */
  multi(): UpstashPipeline {
    return new UpstashPipeline(this, "/multi-exec");
  }

  async get<Value = unknown>(key: string): Promise<Value | null> {
    return (await this.command(["GET", key])) as Value | null;
  }

  async incr(key: string): Promise<number> {
    return Number(await this.command(["INCR", key]));
  }

  async expire(key: string, seconds: number): Promise<number> {
    return Number(await this.command(["EXPIRE", key, seconds]));
  }

  async ttl(key: string): Promise<number> {
    return Number(await this.command(["TTL", key]));
  }

  async ping(): Promise<string> {
    return String(await this.command(["PING"]));
  }

  async command(command: Argument[]): Promise<unknown> {
    return readReply(await this.request("", command));
  }

  /** One POST; Upstash answers errors of a single command with a 4xx and the same JSON shape. */
  async request(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch {
      throw new UpstashError(`Upstash answered ${response.status} without JSON`);
    }
    if (!response.ok && !(typeof reply === "object" && reply !== null && "error" in reply)) {
      throw new UpstashError(`Upstash answered ${response.status}`);
    }
    return reply;
  }
}

// A small Redis in memory, for `npm run dev` on a machine without redis-server. It implements the
// commands LiveLoot sends through `@upstash/redis` (and a few close relatives) with Redis's own
// semantics and error messages: strings and sets, key expiry, integer counters. Anything else is
// an unknown command. Tests run against a real Redis; this store is only tested itself.

/** A reply in the shape the bridge encodes: status and bulk strings, integers, nil, arrays. */
export type MemoryReply = string | number | null | MemoryReply[];

/** A Redis error reply, such as `WRONGTYPE …` or `ERR syntax error`. */
export class MemoryRedisError extends Error {}

type Value = { type: "string"; value: string } | { type: "set"; members: Set<string> };

interface Entry {
  value: Value;
  /** Milliseconds since the epoch; absent when the key does not expire. */
  expiresAt?: number;
}

interface CommandDefinition {
  /** Like Redis's arity: n means exactly n words with the name, -n at least n. */
  arity: number;
  run(args: string[]): MemoryReply;
}

const wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
const notAnInteger = "ERR value is not an integer or out of range";
const syntaxError = "ERR syntax error";
const integerPattern = /^-?(?:0|[1-9][0-9]*)$/;
const minimumInteger = -(2n ** 63n);
const maximumInteger = 2n ** 63n - 1n;
/** Expiry times past this are refused like Redis refuses an overflowing one. */
const latestExpiryMilliseconds = Number.MAX_SAFE_INTEGER;
/** The largest negative SRANDMEMBER count served (members may repeat, so it is not bounded by the set). */
const maximumRepeatedSample = 1_000_000;

export class MemoryRedisStore {
  private readonly entries = new Map<string, Entry>();
  private readonly commands: ReadonlyMap<string, CommandDefinition>;

  /** `now` returns the current time in milliseconds; tests of expiry may pass their own clock. */
  constructor(private readonly now: () => number = Date.now) {
    this.commands = new Map<string, CommandDefinition>([
      ["PING", { arity: -1, run: (args) => this.ping(args) }],
      ["ECHO", { arity: 2, run: ([message = ""]) => message }],
      ["DBSIZE", { arity: 1, run: () => this.countKeys() }],
      ["FLUSHDB", { arity: -1, run: (args) => this.flush(args) }],
      ["TYPE", { arity: 2, run: ([key = ""]) => this.read(key)?.value.type ?? "none" }],
      ["EXISTS", { arity: -2, run: (keys) => keys.filter((key) => this.read(key) !== undefined).length }],
      ["DEL", { arity: -2, run: (keys) => this.deleteKeys(keys) }],
      ["UNLINK", { arity: -2, run: (keys) => this.deleteKeys(keys) }],
      ["GET", { arity: 2, run: ([key = ""]) => this.readString(key) ?? null }],
      ["SET", { arity: -3, run: ([key = "", value = "", ...options]) => this.set(key, value, options) }],
      [
        "SETEX",
        {
          arity: 4,
          run: ([key = "", seconds = "", value = ""]) => this.setWithExpiry("setex", key, value, seconds, 1000),
        },
      ],
      [
        "PSETEX",
        {
          arity: 4,
          run: ([key = "", milliseconds = "", value = ""]) => this.setWithExpiry("psetex", key, value, milliseconds, 1),
        },
      ],
      ["INCR", { arity: 2, run: ([key = ""]) => this.incrementBy(key, 1n) }],
      ["DECR", { arity: 2, run: ([key = ""]) => this.incrementBy(key, -1n) }],
      ["INCRBY", { arity: 3, run: ([key = "", by = ""]) => this.incrementBy(key, parseInteger(by)) }],
      ["DECRBY", { arity: 3, run: ([key = "", by = ""]) => this.incrementBy(key, -parseInteger(by)) }],
      [
        "EXPIRE",
        {
          arity: -3,
          run: ([key = "", seconds = "", ...options]) => this.expire("expire", key, seconds, 1000, options),
        },
      ],
      [
        "PEXPIRE",
        {
          arity: -3,
          run: ([key = "", milliseconds = "", ...options]) => this.expire("pexpire", key, milliseconds, 1, options),
        },
      ],
      ["PERSIST", { arity: 2, run: ([key = ""]) => this.persist(key) }],
      ["TTL", { arity: 2, run: ([key = ""]) => this.timeToLive(key, 1000) }],
      ["PTTL", { arity: 2, run: ([key = ""]) => this.timeToLive(key, 1) }],
      ["SADD", { arity: -3, run: ([key = "", ...members]) => this.addMembers(key, members) }],
      ["SREM", { arity: -3, run: ([key = "", ...members]) => this.removeMembers(key, members) }],
      ["SCARD", { arity: 2, run: ([key = ""]) => this.readSet(key)?.size ?? 0 }],
      ["SMEMBERS", { arity: 2, run: ([key = ""]) => [...(this.readSet(key) ?? [])] }],
      ["SISMEMBER", { arity: 3, run: ([key = "", member = ""]) => (this.readSet(key)?.has(member) ? 1 : 0) }],
      ["SRANDMEMBER", { arity: -2, run: ([key = "", ...rest]) => this.randomMembers(key, rest) }],
    ]);
  }

  /** The names of the commands this store knows, upper case. */
  get commandNames(): string[] {
    return [...this.commands.keys()];
  }

  /**
   * Why Redis would refuse to queue this command in a transaction (unknown command or wrong
   * number of arguments), or undefined. Errors found only while running it are not checked.
   */
  checkCommand(command: readonly string[]): string | undefined {
    const [name = "", ...args] = command;
    const definition = this.commands.get(name.toUpperCase());
    if (definition === undefined) {
      return (
        `ERR unknown command '${name}', with args beginning with: ${args.map((arg) => `'${arg}' `).join("")}` +
        `(the in-memory Redis of npm run dev supports only ${this.commandNames.join(", ")})`
      );
    }
    const words = command.length;
    if (definition.arity >= 0 ? words !== definition.arity : words < -definition.arity) {
      return `ERR wrong number of arguments for '${name.toLowerCase()}' command`;
    }
    return undefined;
  }

  /** Runs one command; throws a MemoryRedisError with Redis's message when Redis would answer an error. */
  execute(command: readonly string[]): MemoryReply {
    const problem = this.checkCommand(command);
    if (problem !== undefined) throw new MemoryRedisError(problem);
    const [name = "", ...args] = command;
    // checkCommand found it.
    const definition = this.commands.get(name.toUpperCase()) as CommandDefinition;
    return definition.run(args);
  }

  /** Drops the keys whose time has come; reads ignore them anyway, this only frees the memory. */
  removeExpiredKeys(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.entries.delete(key);
    }
  }

  /** The live entry of a key, dropping it when it has expired. */
  private read(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private readString(key: string): string | undefined {
    const entry = this.read(key);
    if (entry === undefined) return undefined;
    if (entry.value.type !== "string") throw new MemoryRedisError(wrongType);
    return entry.value.value;
  }

  private readSet(key: string): Set<string> | undefined {
    const entry = this.read(key);
    if (entry === undefined) return undefined;
    if (entry.value.type !== "set") throw new MemoryRedisError(wrongType);
    return entry.value.members;
  }

  private ping(args: string[]): MemoryReply {
    if (args.length > 1) throw new MemoryRedisError("ERR wrong number of arguments for 'ping' command");
    return args[0] ?? "PONG";
  }

  private countKeys(): number {
    this.removeExpiredKeys();
    return this.entries.size;
  }

  private flush(args: string[]): MemoryReply {
    if (args.length > 1 || (args[0] !== undefined && !["ASYNC", "SYNC"].includes(args[0].toUpperCase()))) {
      throw new MemoryRedisError(syntaxError);
    }
    this.entries.clear();
    return "OK";
  }

  private deleteKeys(keys: string[]): number {
    let deleted = 0;
    for (const key of keys) {
      if (this.read(key) !== undefined) {
        this.entries.delete(key);
        deleted += 1;
      }
    }
    return deleted;
  }

  /** SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL]. */
  private set(key: string, value: string, options: string[]): MemoryReply {
    let condition: "NX" | "XX" | undefined;
    let returnOld = false;
    let keepTtl = false;
    let expiry: { unit: "EX" | "PX" | "EXAT" | "PXAT"; amount: string } | undefined;
    for (let index = 0; index < options.length; index++) {
      const option = (options[index] ?? "").toUpperCase();
      if ((option === "NX" || option === "XX") && condition === undefined) condition = option;
      else if (option === "GET" && !returnOld) returnOld = true;
      else if (option === "KEEPTTL" && !keepTtl && expiry === undefined) keepTtl = true;
      else if (
        (option === "EX" || option === "PX" || option === "EXAT" || option === "PXAT") &&
        expiry === undefined &&
        !keepTtl &&
        index + 1 < options.length
      ) {
        index += 1;
        expiry = { unit: option, amount: options[index] ?? "" };
      } else throw new MemoryRedisError(syntaxError);
    }
    let expiresAt: number | undefined;
    if (expiry !== undefined) {
      const amount = parseInteger(expiry.amount);
      const milliseconds = expiry.unit === "EX" || expiry.unit === "EXAT" ? amount * 1000n : amount;
      const absolute = expiry.unit === "EX" || expiry.unit === "PX" ? milliseconds + BigInt(this.now()) : milliseconds;
      if (amount <= 0n || absolute > BigInt(latestExpiryMilliseconds)) {
        throw new MemoryRedisError("ERR invalid expire time in 'set' command");
      }
      expiresAt = Number(absolute);
    }
    const existing = this.read(key);
    const old = returnOld ? this.readString(key) : undefined;
    if ((condition === "NX" && existing !== undefined) || (condition === "XX" && existing === undefined)) {
      return returnOld ? (old ?? null) : null;
    }
    this.entries.set(key, {
      value: { type: "string", value },
      expiresAt: keepTtl ? existing?.expiresAt : expiresAt,
    });
    return returnOld ? (old ?? null) : "OK";
  }

  private setWithExpiry(command: string, key: string, value: string, amount: string, unitMilliseconds: number) {
    const parsed = parseInteger(amount);
    const expiresAt = parsed * BigInt(unitMilliseconds) + BigInt(this.now());
    if (parsed <= 0n || expiresAt > BigInt(latestExpiryMilliseconds)) {
      throw new MemoryRedisError(`ERR invalid expire time in '${command}' command`);
    }
    this.entries.set(key, { value: { type: "string", value }, expiresAt: Number(expiresAt) });
    return "OK";
  }

  /** INCR and friends: the value must be a 64-bit integer; the key keeps its time to live. */
  private incrementBy(key: string, by: bigint): number {
    const entry = this.read(key);
    const current = this.readString(key);
    const value = current === undefined ? 0n : parseInteger(current);
    const result = value + by;
    if (result < minimumInteger || result > maximumInteger) {
      throw new MemoryRedisError("ERR increment or decrement would overflow");
    }
    this.entries.set(key, { value: { type: "string", value: result.toString() }, expiresAt: entry?.expiresAt });
    return Number(result);
  }

  /** EXPIRE key amount [NX | XX | GT | LT]; an amount that is not in the future deletes the key. */
  private expire(command: string, key: string, amount: string, unitMilliseconds: number, options: string[]): number {
    const flags = new Set<string>();
    for (const option of options) {
      const flag = option.toUpperCase();
      if (!["NX", "XX", "GT", "LT"].includes(flag)) throw new MemoryRedisError(`ERR Unsupported option ${option}`);
      flags.add(flag);
    }
    if (flags.has("NX") && (flags.has("XX") || flags.has("GT") || flags.has("LT"))) {
      throw new MemoryRedisError("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if (flags.has("GT") && flags.has("LT")) {
      throw new MemoryRedisError("ERR GT and LT options at the same time are not compatible");
    }
    const parsed = parseInteger(amount);
    const expiresAt = parsed * BigInt(unitMilliseconds) + BigInt(this.now());
    if (expiresAt > BigInt(latestExpiryMilliseconds) || expiresAt < -BigInt(latestExpiryMilliseconds)) {
      throw new MemoryRedisError(`ERR invalid expire time in '${command}' command`);
    }
    const entry = this.read(key);
    if (entry === undefined) return 0;
    const when = Number(expiresAt);
    const current = entry.expiresAt;
    if (flags.has("NX") && current !== undefined) return 0;
    if (flags.has("XX") && current === undefined) return 0;
    // No expiry counts as an infinite one.
    if (flags.has("GT") && (current === undefined || when <= current)) return 0;
    if (flags.has("LT") && current !== undefined && when >= current) return 0;
    if (when <= this.now()) this.entries.delete(key);
    else entry.expiresAt = when;
    return 1;
  }

  private persist(key: string): number {
    const entry = this.read(key);
    if (entry?.expiresAt === undefined) return 0;
    entry.expiresAt = undefined;
    return 1;
  }

  /** -2 without the key, -1 without an expiry; TTL rounds to the nearest second as Redis does. */
  private timeToLive(key: string, unitMilliseconds: number): number {
    const entry = this.read(key);
    if (entry === undefined) return -2;
    if (entry.expiresAt === undefined) return -1;
    const remaining = Math.max(0, entry.expiresAt - this.now());
    return unitMilliseconds === 1 ? remaining : Math.floor((remaining + 500) / 1000);
  }

  private addMembers(key: string, members: string[]): number {
    let set = this.readSet(key);
    if (set === undefined) {
      set = new Set();
      this.entries.set(key, { value: { type: "set", members: set } });
    }
    const sizeBefore = set.size;
    for (const member of members) set.add(member);
    return set.size - sizeBefore;
  }

  private removeMembers(key: string, members: string[]): number {
    const set = this.readSet(key);
    if (set === undefined) return 0;
    let removed = 0;
    for (const member of members) if (set.delete(member)) removed += 1;
    if (set.size === 0) this.entries.delete(key);
    return removed;
  }

  /**
   * SRANDMEMBER key [count]: without a count one member or nil; a positive count gives that many
   * distinct members at most; a negative one exactly |count| members, repeats allowed.
   */
  private randomMembers(key: string, rest: string[]): MemoryReply {
    if (rest.length > 1) throw new MemoryRedisError(syntaxError);
    const countText = rest[0];
    const count = countText === undefined ? undefined : parseInteger(countText);
    const set = this.readSet(key);
    const members = set === undefined ? [] : [...set];
    if (count === undefined) {
      return members.length === 0 ? null : (members[randomIndex(members.length)] ?? null);
    }
    if (count < 0n) {
      const wanted = -count;
      // Redis would try; a development helper refuses rather than run out of memory.
      if (wanted > BigInt(maximumRepeatedSample)) throw new MemoryRedisError("ERR value is out of range");
      if (members.length === 0) return [];
      return Array.from({ length: Number(wanted) }, () => members[randomIndex(members.length)] ?? "");
    }
    const wanted = count > BigInt(members.length) ? members.length : Number(count);
    // A partial Fisher–Yates shuffle: the first `wanted` places hold distinct random members.
    for (let index = 0; index < wanted; index++) {
      const other = index + randomIndex(members.length - index);
      [members[index], members[other]] = [members[other] as string, members[index] as string];
    }
    return members.slice(0, wanted);
  }
}

/** A signed 64-bit integer written the way Redis accepts it, or the error Redis answers. */
function parseInteger(text: string): bigint {
  if (!integerPattern.test(text) || text === "-0") throw new MemoryRedisError(notAnInteger);
  const value = BigInt(text);
  if (value < minimumInteger || value > maximumInteger) throw new MemoryRedisError(notAnInteger);
  return value;
}

function randomIndex(length: number): number {
  return Math.floor(Math.random() * length);
}

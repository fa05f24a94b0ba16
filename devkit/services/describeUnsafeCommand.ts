// The bridge sends every request over one shared connection to a Redis database that belongs to
// one run, so it refuses what would block that connection, change its state, or reach outside
// that database. Real Upstash refuses most of these too.

const blocking = "it blocks the bridge's shared Redis connection";
const outsideDatabase = "it reaches outside this run's Redis database";
const connectionState = "it changes the state of the bridge's shared Redis connection";
const serverAdministration = "it administers the whole Redis server";

const unsafeCommands = new Map<string, string>([
  ...["BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "WAIT", "WAITAOF"].map(
    (name) => [name, blocking] as const,
  ),
  ...["SELECT", "SWAPDB", "MOVE", "FLUSHALL", "MIGRATE"].map((name) => [name, outsideDatabase] as const),
  ...[
    "SUBSCRIBE",
    "PSUBSCRIBE",
    "SSUBSCRIBE",
    "UNSUBSCRIBE",
    "PUNSUBSCRIBE",
    "SUNSUBSCRIBE",
    "MONITOR",
    "RESET",
    "QUIT",
    "HELLO",
    "AUTH",
    "CLIENT",
    "READONLY",
    "READWRITE",
  ].map((name) => [name, connectionState] as const),
  ...["MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"].map(
    (name) => [name, `${connectionState}; send transactions to /multi-exec`] as const,
  ),
  ...[
    "SHUTDOWN",
    "CONFIG",
    "DEBUG",
    "SAVE",
    "BGSAVE",
    "BGREWRITEAOF",
    "REPLICAOF",
    "SLAVEOF",
    "FAILOVER",
    "SYNC",
    "PSYNC",
    "MODULE",
    "ACL",
    "CLUSTER",
  ].map((name) => [name, serverAdministration] as const),
]);

/**
 * Says why the local Upstash bridge refuses a command, as a Redis-style error message,
 * or returns undefined when the command is allowed.
 */
export function describeUnsafeCommand(command: readonly string[]): string | undefined {
  const name = (command[0] ?? "").toUpperCase();
  const options = command.slice(1).map((argument) => argument.toUpperCase());
  let reason = unsafeCommands.get(name);
  if ((name === "XREAD" || name === "XREADGROUP") && options.includes("BLOCK")) reason = blocking;
  if (name === "COPY" && options.includes("DB")) reason = outsideDatabase;
  if (reason === undefined) return undefined;
  return `ERR ${name} is not supported by the local Upstash bridge: ${reason}`;
}

import type { DevStack } from "./startDevStack";

const postgresDescriptions = {
  configured: "your DATABASE_URL",
  cluster: "a local Postgres cluster",
  pglite: "embedded PGlite",
} as const;

const redisDescriptions = {
  configured: "your REDIS_URL",
  server: "a throwaway redis-server",
  memory: "Redis in memory (development only)",
} as const;

/** The one short block `npm run dev` prints once everything answers. */
export function formatDevSummary(stack: DevStack, dataDirectory: string): string {
  if (stack.mode === "dev-vars") {
    return [
      "",
      "LiveLoot is running with your own accounts from .dev.vars (no fakes, no local services, no playground).",
      `  Worker      ${stack.workerUrl}   (the scheduled handler fires every minute)`,
      "Press Ctrl-C to stop.",
      "",
    ].join("\n");
  }
  const postgres = stack.postgresKind === undefined ? "?" : postgresDescriptions[stack.postgresKind];
  const kept = stack.postgresKind === "configured" ? "" : ` (data kept in ${dataDirectory})`;
  const redis = stack.redisKind === undefined ? "?" : redisDescriptions[stack.redisKind];
  return [
    "",
    "LiveLoot is running locally with fake Discord and Twitch: no accounts needed.",
    `  Playground  ${stack.playgroundUrl ?? "?"}   ← open this`,
    `  Worker      ${stack.workerUrl}   (the scheduled handler fires every minute)`,
    `  Data        ${postgres}${kept}; ${redis}`,
    ...(stack.drandChainInfoUrl === undefined
      ? []
      : [
          `  Draws       signed by a fake drand beacon; check a raffle's with`,
          `              npm run verify -- ${stack.workerUrl}/r/<raffle> --chain-info ${stack.drandChainInfoUrl}`,
        ]),
    ...(stack.adminApiToken === undefined
      ? []
      : [`  Admin API   ${stack.workerUrl}/admin/docs   (header Authorization: Bearer ${stack.adminApiToken})`]),
    ...(stack.redisWarning === undefined ? [] : [`Warning: ${stack.redisWarning}`]),
    "Press Ctrl-C to stop everything.",
    "",
  ].join("\n");
}

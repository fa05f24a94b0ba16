import * as z from "zod/mini";
import type { OverlayNamespace } from "./overlay/overlayBinding";

/** Bindings the Worker receives: wrangler vars and secrets (see wrangler.toml). */
export interface WorkerBindings {
  DISCORD_APPLICATION_ID?: string;
  DISCORD_PUBLIC_KEY?: string;
  DISCORD_BOT_TOKEN?: string;
  TWITCH_CLIENT_ID?: string;
  TWITCH_CLIENT_SECRET?: string;
  TWITCH_EVENTSUB_SECRET?: string;
  PUBLIC_BASE_URL?: string;
  DATABASE_URL?: string;
  NEON_WS_PROXY?: string;
  NEON_HTTP_ENDPOINT?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  TOKEN_ENCRYPTION_KEY?: string;
  TOKEN_ENCRYPTION_KEY_PREVIOUS?: string;
  DISCORD_API_BASE_URL?: string;
  TWITCH_API_BASE_URL?: string;
  TWITCH_AUTH_BASE_URL?: string;
  /** Optional: the drand relay (default https://api.drand.sh). */
  DRAND_API_BASE_URL?: string;
  /** Optional, together: another drand chain than quicknet (tests and `npm run dev` use a fake). */
  DRAND_CHAIN_HASH?: string;
  DRAND_PUBLIC_KEY?: string;
  /**
   * Optional: due live raffles above which the tick fans out through DRAW_QUEUE (default
   * `defaultTickFanoutThreshold`, what fits the Workers Free plan).
   */
  TICK_FANOUT_THRESHOLD?: string;
  /** Optional Cloudflare Queue binding for fan-out (wrangler.toml). */
  DRAW_QUEUE?: Queue<unknown>;
  /**
   * Development only (`npm run dev`): a loopback URL answering `{"offsetMilliseconds": n}`, the
   * playground's simulated clock. Ignored unless it and PUBLIC_BASE_URL are loopback http URLs.
   */
  DEV_CLOCK_URL?: string;
  /** Optional: enables the operator API under /admin (32+ characters); unset, /admin is 404. */
  ADMIN_API_TOKEN?: string;
  /** The on-stream overlay's Durable Objects, one per server (wrangler.toml; worker/overlay/OverlayRoom.ts). */
  OVERLAY?: OverlayNamespace;
  /** Workers Static Assets (wrangler.toml [assets]): the Worker serves /admin's docs from it after auth. */
  ASSETS?: { fetch(request: Request): Promise<Response> };
}

/**
 * The most live raffles one tick draws itself within the Workers Free plan's 50 subrequests per
 * invocation: bench/README.md measures about 7 subrequests shared by the whole tick in production
 * (Neon WebSockets, Get Streams, the drand round; 8 against a configured chain, whose description
 * is read once per isolate) and 3.1 per raffle with a cold chatter cache (Get Chatters, the cache
 * write, the Discord post), so 7 + 13 × 3.1 = 47.3 fits with room for a retried round, and 14
 * (50.4) does not. Past it the tick fans out through DRAW_QUEUE. By CPU, Free's 10 ms does not hold
 * a tick at all (about 26 ms shared and 2–6 ms per raffle, bench/README.md "Server limits"), so
 * production needs Workers Paid, whose 30 s of CPU allow thousands of raffles: there subrequests
 * and wall time are the bound, and a higher value saves queue round trips.
 */
export const defaultTickFanoutThreshold = 13;

const httpUrl = z.pipe(
  z.string().check(
    z.trim(),
    z.refine((value) => /^https?:\/\/[^\s/]+/i.test(value) && URL.canParse(value), "must be an http(s) URL"),
  ),
  z.transform((value: string) => value.replace(/\/+$/, "")),
);

const nonEmpty = z.string().check(z.trim(), z.minLength(1, "must not be empty"));

const encryptionKey = z.string().check(
  z.trim(),
  z.refine((value) => decodeBase64Length(value) === 32, "must be base64 of exactly 32 bytes"),
);

/** An optional variable that may also be set to "" (read as unset). */
function optionalOrEmpty<Schema extends z.ZodMiniType<unknown, string>>(schema: Schema) {
  return z.union([
    z.optional(schema),
    z.pipe(
      z.literal(""),
      z.transform(() => undefined),
    ),
  ]);
}

/** Hex of `byteLengths` bytes, read lower-case. */
function lowerHex(message: string, ...byteLengths: number[]) {
  return z.pipe(
    z.string().check(
      z.trim(),
      z.refine(
        (value) => /^[0-9a-fA-F]*$/.test(value) && byteLengths.some((length) => value.length === length * 2),
        message,
      ),
    ),
    z.transform((value: string) => value.toLowerCase()),
  );
}

/** Every configuration name the Worker reads, and its rule (docs/contract.md lists them). */
export const configSchema = z.object({
  DISCORD_APPLICATION_ID: z.string().check(z.trim(), z.regex(/^\d{15,21}$/, "must be a Discord snowflake (digits)")),
  DISCORD_PUBLIC_KEY: z.pipe(
    z.string().check(z.trim(), z.regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex characters")),
    z.transform((value: string) => value.toLowerCase()),
  ),
  DISCORD_BOT_TOKEN: nonEmpty,
  TWITCH_CLIENT_ID: nonEmpty,
  TWITCH_CLIENT_SECRET: nonEmpty,
  TWITCH_EVENTSUB_SECRET: z
    .string()
    .check(z.minLength(10, "must be 10 to 100 characters"), z.maxLength(100, "must be 10 to 100 characters")),
  PUBLIC_BASE_URL: httpUrl,
  DATABASE_URL: z.string().check(
    z.trim(),
    z.refine((value) => /^postgres(ql)?:\/\//i.test(value) && URL.canParse(value), "must be a postgres:// URL"),
  ),
  NEON_WS_PROXY: optionalOrEmpty(
    z.string().check(z.trim(), z.regex(/^[^\s/:]+:\d+(\/\S*)?$/, "must look like host:port/path")),
  ),
  NEON_HTTP_ENDPOINT: optionalOrEmpty(httpUrl),
  UPSTASH_REDIS_REST_URL: httpUrl,
  UPSTASH_REDIS_REST_TOKEN: nonEmpty,
  TOKEN_ENCRYPTION_KEY: encryptionKey,
  TOKEN_ENCRYPTION_KEY_PREVIOUS: optionalOrEmpty(encryptionKey),
  DISCORD_API_BASE_URL: z._default(httpUrl, "https://discord.com/api/v10"),
  TWITCH_API_BASE_URL: z._default(httpUrl, "https://api.twitch.tv/helix"),
  TWITCH_AUTH_BASE_URL: z._default(httpUrl, "https://id.twitch.tv/oauth2"),
  DRAND_API_BASE_URL: z._default(httpUrl, "https://api.drand.sh"),
  DRAND_CHAIN_HASH: optionalOrEmpty(lowerHex("must be 64 hex characters", 32)),
  DRAND_PUBLIC_KEY: optionalOrEmpty(lowerHex("must be hex of a BLS public key (96 or 192 characters)", 48, 96)),
  TICK_FANOUT_THRESHOLD: z._default(
    z.coerce.number().check(z.int("must be a whole number"), z.gte(0, "must be 0 or more")),
    defaultTickFanoutThreshold,
  ),
  DEV_CLOCK_URL: z.optional(z.string().check(z.trim())),
  ADMIN_API_TOKEN: optionalOrEmpty(z.string().check(z.minLength(32, "must be at least 32 characters"))),
});

type ParsedConfig = z.output<typeof configSchema>;

/** The validated runtime configuration, in the app's own names. */
export interface Config {
  discordApplicationId: string;
  discordPublicKey: string;
  discordBotToken: string;
  twitchClientId: string;
  twitchClientSecret: string;
  twitchEventSubSecret: string;
  publicBaseUrl: string;
  databaseUrl: string;
  neonWebSocketProxy: string | undefined;
  /** Local only: where Neon's HTTP queries go instead of `https://<host>/sql` (devkit/services). */
  neonHttpEndpoint: string | undefined;
  upstashRedisRestUrl: string;
  upstashRedisRestToken: string;
  tokenEncryptionKey: string;
  /** During a key rotation: the key older values were sealed with (they still open). */
  previousTokenEncryptionKey: string | undefined;
  discordApiBaseUrl: string;
  twitchApiBaseUrl: string;
  twitchAuthBaseUrl: string;
  /**
   * The randomness beacon: the relay, and the chain when it is not quicknet (tests and local
   * development; both or neither, see worker/fairness/drandChain.ts).
   */
  drand: { apiBaseUrl: string; chainHash: string | undefined; publicKey: string | undefined };
  tickFanoutThreshold: number;
  /** `npm run dev` only: where "now" of HTTP requests comes from (see worker/devClock.ts). */
  devClockUrl: string | undefined;
  /** The operator API's bearer token; undefined turns /admin off (404). */
  adminApiToken: string | undefined;
}

/** One configuration problem, named by its variable; the value itself is never included. */
export interface ConfigProblem {
  name: string;
  problem: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

// The env object is stable for an isolate's lifetime, so parsing once per env object is
// "once per isolate" in production while tests can still pass their own bindings.
const parsedByBindings = new WeakMap<object, ConfigResult>();

/** Validates the bindings once per isolate (per bindings object) and caches the result. */
export function readConfig(bindings: WorkerBindings): ConfigResult {
  const cached = parsedByBindings.get(bindings);
  if (cached) return cached;
  const result = parseConfig(bindings);
  parsedByBindings.set(bindings, result);
  return result;
}

export function parseConfig(bindings: WorkerBindings): ConfigResult {
  const parsed = configSchema.safeParse(bindings);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      name: String(issue.path[0] ?? "config"),
      problem: issue.code === "invalid_type" ? "is missing" : issue.message,
    }));
    return { ok: false, problems: deduplicateProblems(problems) };
  }
  if ((parsed.data.DRAND_CHAIN_HASH === undefined) !== (parsed.data.DRAND_PUBLIC_KEY === undefined)) {
    const missing = parsed.data.DRAND_CHAIN_HASH === undefined ? "DRAND_CHAIN_HASH" : "DRAND_PUBLIC_KEY";
    return {
      ok: false,
      problems: [{ name: missing, problem: "is missing: set DRAND_CHAIN_HASH and DRAND_PUBLIC_KEY together" }],
    };
  }
  return { ok: true, config: mapConfig(parsed.data) };
}

function mapConfig(parsed: ParsedConfig): Config {
  return {
    discordApplicationId: parsed.DISCORD_APPLICATION_ID,
    discordPublicKey: parsed.DISCORD_PUBLIC_KEY,
    discordBotToken: parsed.DISCORD_BOT_TOKEN,
    twitchClientId: parsed.TWITCH_CLIENT_ID,
    twitchClientSecret: parsed.TWITCH_CLIENT_SECRET,
    twitchEventSubSecret: parsed.TWITCH_EVENTSUB_SECRET,
    publicBaseUrl: parsed.PUBLIC_BASE_URL,
    databaseUrl: parsed.DATABASE_URL,
    neonWebSocketProxy: parsed.NEON_WS_PROXY,
    neonHttpEndpoint: parsed.NEON_HTTP_ENDPOINT,
    upstashRedisRestUrl: parsed.UPSTASH_REDIS_REST_URL,
    upstashRedisRestToken: parsed.UPSTASH_REDIS_REST_TOKEN,
    tokenEncryptionKey: parsed.TOKEN_ENCRYPTION_KEY,
    previousTokenEncryptionKey: parsed.TOKEN_ENCRYPTION_KEY_PREVIOUS,
    discordApiBaseUrl: parsed.DISCORD_API_BASE_URL,
    twitchApiBaseUrl: parsed.TWITCH_API_BASE_URL,
    twitchAuthBaseUrl: parsed.TWITCH_AUTH_BASE_URL,
    drand: {
      apiBaseUrl: parsed.DRAND_API_BASE_URL,
      chainHash: parsed.DRAND_CHAIN_HASH,
      publicKey: parsed.DRAND_PUBLIC_KEY,
    },
    tickFanoutThreshold: parsed.TICK_FANOUT_THRESHOLD,
    devClockUrl: isLoopbackHttp(parsed.PUBLIC_BASE_URL) ? readLoopbackHttp(parsed.DEV_CLOCK_URL) : undefined,
    adminApiToken: parsed.ADMIN_API_TOKEN,
  };
}

/** A dev-only setting counts only on a machine whose public URL is itself loopback: never in production. */
function isLoopbackHttp(value: string | undefined): boolean {
  if (value === undefined || !URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

function readLoopbackHttp(value: string | undefined): string | undefined {
  return isLoopbackHttp(value) ? value : undefined;
}

function deduplicateProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((entry) => {
    if (seen.has(entry.name)) return false;
    seen.add(entry.name);
    return true;
  });
}

function decodeBase64Length(value: string): number | undefined {
  try {
    return atob(value).length;
  } catch {
    return undefined;
  }
}

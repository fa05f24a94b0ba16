import { randomBytes } from "node:crypto";
import type { DiscordState } from "../../devkit/fakes/discord/DiscordState";
import { DiscordControl } from "../../devkit/fakes/discordControl";
import { startDiscordFake } from "../../devkit/fakes/discordFake";
import { DrandControl } from "../../devkit/fakes/drandControl";
import { startDrandFake } from "../../devkit/fakes/drandFake";
import { TwitchControl } from "../../devkit/fakes/twitchControl";
import { startTwitchFake } from "../../devkit/fakes/twitchFake";
import { buildTestBindings, testCredentials } from "../../devkit/localBindings";
import { startLocalServices } from "../../devkit/services/localServices";
import { type NeonHttpEndpoint, startNeonHttpEndpoint } from "../../devkit/services/neonHttpEndpoint";
import type { PostgresKind } from "../../devkit/services/postgres";
import { migrate } from "../../scripts/migrate";
import { PostgresWireCounter } from "./PostgresWireCounter";
import { type CountingProxy, countUpstashCommands, readProxyTarget, startCountingProxy } from "./startCountingProxy";

/** Everything the benchmarked Worker talks to, each outside system behind something that counts its calls. */
export interface BenchStack {
  databaseUrl: string;
  /** PGlite serves one session at a time: numbers taken on it are not representative. */
  postgresKind: PostgresKind;
  /** The Redis database behind the Upstash bridge (claimed for this run). */
  redisUrl: string;
  twitchUrl: string;
  twitch: TwitchControl;
  discord: DiscordControl;
  /** The drand beacon fake (quicknet's schedule): one round per tick. */
  drand: DrandControl;
  /** The Discord fake's state (it runs in this process): interactions registered and read without HTTP. */
  discordState: DiscordState;
  /** In front of the Upstash bridge: each request is one Worker subrequest; `commands` counts Redis commands. */
  upstashProxy: CountingProxy;
  /** In front of the Neon wsproxy: each WebSocket is one Worker subrequest (a database connection). */
  neonProxy: CountingProxy;
  /** Database round trips in what went through `neonProxy` (queries and syncs of the Postgres protocol). */
  neonWire: PostgresWireCounter;
  /** Neon's SQL-over-HTTP endpoint (`NEON_HTTP_ENDPOINT`), which counts the round trips it forwards. */
  neonHttp: NeonHttpEndpoint;
  /** The benchmark database's name, as `neonHttp.counts(name)` knows it. */
  databaseName: string;
  /** The Worker's bindings, pointed at the proxies and fakes. */
  createBindings(options: { fanoutThreshold: number }): Record<string, string>;
  /** Stops everything in reverse order; the database is dropped and the Redis database released. */
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  /** A Postgres server to create the database on; without it startLocalServices starts one. */
  postgresServerUrl: string | undefined;
  /** A Redis server to claim a database on; without it startLocalServices starts one. */
  redisUrl: string | undefined;
  /** Injected into every Twitch and Discord fake call. */
  fakeLatencyMilliseconds: number;
}

/** Helix allows 800 points a minute per bucket; the benchmark measures the Worker, not that bucket. */
const unlimitedHelixPoints = 1_000_000;

/** Starts a fresh database (migrated), Redis + the Upstash bridge, both fakes and the counting proxies. */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const stopSteps: (() => Promise<void>)[] = [];
  const stop = () => runInReverse(stopSteps);
  try {
    const services = await startLocalServices({
      postgresServerUrl: options.postgresServerUrl,
      redisUrl: options.redisUrl,
      databaseName: `liveloot_bench_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`,
    });
    stopSteps.push(() => services.stop());
    await migrate({ databaseUrl: services.databaseUrl });

    const twitchFake = await startTwitchFake({
      clientId: testCredentials.twitchClientId,
      clientSecret: testCredentials.twitchClientSecret,
    });
    stopSteps.push(() => twitchFake.stop());
    const discordFake = await startDiscordFake({
      applicationId: testCredentials.discordApplicationId,
      botToken: testCredentials.discordBotToken,
      // Each raffle posts to its own channel, once a minute: the per-channel 5 per 5 s bucket is never reached.
      autoCreateChannels: true,
    });
    stopSteps.push(() => discordFake.stop());
    // quicknet's schedule: a tick waits for its round as in production.
    const drandFake = await startDrandFake({ seed: "liveloot bench" });
    stopSteps.push(() => drandFake.stop());

    const upstashProxy = await startCountingProxy(readProxyTarget(services.upstashUrl), {
      countRequestCommands: countUpstashCommands,
    });
    stopSteps.push(() => upstashProxy.stop());
    const neonWire = new PostgresWireCounter();
    const neonProxy = await startCountingProxy(readProxyTarget(services.neonWsProxy), {
      readClientBytes: () => neonWire.createConnectionReader(),
    });
    stopSteps.push(() => neonProxy.stop());

    const neonHttp = await startNeonHttpEndpoint();
    stopSteps.push(() => neonHttp.stop());

    const twitch = new TwitchControl(twitchFake.url);
    const discord = new DiscordControl(discordFake.url);
    const drand = new DrandControl(drandFake.url);
    await twitch.setRateLimit({ clientId: testCredentials.twitchClientId, limit: unlimitedHelixPoints });
    await twitch.setLatency(options.fakeLatencyMilliseconds);
    await discord.setLatency(options.fakeLatencyMilliseconds);

    const neonWsPath = services.neonWsProxy.slice(services.neonWsProxy.indexOf("/"));
    return {
      databaseUrl: services.databaseUrl,
      postgresKind: services.postgresKind,
      redisUrl: services.redisUrl,
      twitchUrl: twitchFake.url,
      twitch,
      discord,
      drand,
      discordState: discordFake.state,
      upstashProxy,
      neonProxy,
      neonWire,
      neonHttp,
      databaseName: decodeURIComponent(new URL(services.databaseUrl).pathname.slice(1)),
      createBindings: ({ fanoutThreshold }) => ({
        ...buildTestBindings({
          databaseUrl: services.databaseUrl,
          neonWebSocketProxy: `127.0.0.1:${neonProxy.port}${neonWsPath}`,
          upstashUrl: upstashProxy.url,
          upstashToken: services.upstashToken,
          twitchFakeUrl: twitchFake.url,
          discordFakeUrl: discordFake.url,
          drandFake: { url: drandFake.url, chainHash: drandFake.chainHash, publicKey: drandFake.publicKey },
        }),
        NEON_HTTP_ENDPOINT: neonHttp.url,
        TICK_FANOUT_THRESHOLD: String(fanoutThreshold),
      }),
      stop,
    };
  } catch (error) {
    await stop().catch(() => {
      // The start failure is the error worth reporting.
    });
    throw error;
  }
}

async function runInReverse(steps: (() => Promise<void>)[]): Promise<void> {
  const failures: unknown[] = [];
  while (steps.length > 0) {
    const step = steps.pop();
    try {
      await step?.();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, "the benchmark stack did not stop cleanly");
}

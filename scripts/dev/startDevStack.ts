import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDiscordFake } from "../../devkit/fakes/discordFake";
import { startDrandFake } from "../../devkit/fakes/drandFake";
import { startTwitchFake } from "../../devkit/fakes/twitchFake";
import { buildLocalBindings } from "../../devkit/localBindings";
import { findFreePort } from "../../devkit/services/findFreePort";
import { startNeonHttpEndpoint } from "../../devkit/services/neonHttpEndpoint";
import { startNeonWsProxy } from "../../devkit/services/neonWsProxy";
import type { PostgresKind } from "../../devkit/services/postgres";
import { runInReverse } from "../../devkit/services/runInReverse";
import { startUpstashEndpoint, type UpstashEndpointKind } from "../../devkit/services/upstashEndpoint";
import { listCommandDefinitions } from "../../worker/discord/commands/registry";
import { buildPageAssets } from "../buildPageAssets";
import { migrate } from "../migrate";
import { devFixtures } from "./devFixtures";
import { SimulatedClock } from "./SimulatedClock";
import { startDevClockServer } from "./startDevClockServer";
import { type DevDatabaseOptions, startDevDatabase } from "./startDevDatabase";
import { startPlaygroundServer } from "./startPlaygroundServer";
import { startTicker, type Ticker } from "./startTicker";
import { startWrangler } from "./startWrangler";
import { writeDevEnvFile } from "./writeDevEnvFile";

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface DevStackOptions {
  /**
   * `fakes`: local Postgres and Redis, fake Discord and Twitch, the playground. `dev-vars`: only
   * `wrangler dev` with the developer's own `.dev.vars` (real accounts) and the ticker.
   */
  mode: "fakes" | "dev-vars";
  /** 0 picks a free port. */
  workerPort: number;
  /** 0 picks a free port. Unused in `dev-vars` mode. */
  playgroundPort: number;
  /** Required in `fakes` mode. */
  database?: DevDatabaseOptions;
  /**
   * A Redis server to claim a database on (`REDIS_URL`); without it a throwaway `redis-server` is
   * started, and without that binary the Upstash bridge keeps the data in memory (`redisWarning`).
   */
  redisUrl?: string;
  /** Where the generated wrangler bindings go (git-ignored); `fakes` mode only. */
  envFile?: string;
  /**
   * `wall` (npm run dev, the default): the simulated clock follows the wall clock and the ticker
   * fires at every minute; the playground's button adds minutes. `manual` (a test that advances by
   * hand): the caller owns time: no ticker, and a clock that never leaves its minute by itself
   * (SimulatedClock), so nothing moves a minute behind the test's back, however busy the machine.
   */
  time?: "wall" | "manual";
  /** Receives wrangler's output once the Worker answers. */
  onWorkerOutput?: (line: string) => void;
  /** Progress while starting. */
  onProgress?: (step: string) => void;
}

export interface DevStack {
  mode: DevStackOptions["mode"];
  workerUrl: string;
  /** Absent in `dev-vars` mode. */
  playgroundUrl?: string;
  postgresKind?: PostgresKind;
  redisKind?: UpstashEndpointKind;
  /** Set when Redis is only in memory: for development only, to be shown to the developer. */
  redisWarning?: string;
  twitchFakeUrl?: string;
  discordFakeUrl?: string;
  /** `npm run verify -- URL --chain-info {drandChainInfoUrl}` checks the fake beacon's signatures. */
  drandChainInfoUrl?: string;
  /** The operator API's bearer token for this run (`/admin/docs`). */
  adminApiToken?: string;
  ticker: Ticker;
  /** Stops everything it started, in reverse order, past individual failures; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts LiveLoot on this machine, as `npm run dev` and the playground's browser test use it.
 * If a part fails to start, the parts already started are stopped before the error is thrown.
 */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const undoSteps: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= runInReverse(undoSteps, "part(s)");
    return stopping;
  };
  const progress = options.onProgress ?? (() => {});
  try {
    const workerPort = await claimPort(options.workerPort, "the Worker");
    const workerUrl = `http://127.0.0.1:${workerPort}`;
    // wrangler.toml's [assets] directory must exist before wrangler starts (the raffle page's Verify script).
    progress("building the page assets");
    buildPageAssets();
    if (options.mode === "dev-vars") {
      progress("starting wrangler dev with .dev.vars");
      const wrangler = await startWrangler({
        directory: repositoryRoot,
        port: workerPort,
        inspectorPort: await findFreePort(),
        onOutput: options.onWorkerOutput,
      });
      undoSteps.push(wrangler.stop);
      const clock = new SimulatedClock(Date.now, { time: options.time });
      const ticker = startTicker({ workerUrl, clock, automatic: options.time !== "manual" });
      undoSteps.push(async () => ticker.stop());
      return { mode: options.mode, workerUrl, ticker, stop };
    }

    if (options.database === undefined || options.envFile === undefined) {
      throw new Error("fakes mode needs the database options and the env file path");
    }
    const playgroundPort = options.playgroundPort === 0 ? 0 : await claimPort(options.playgroundPort, "the playground");
    const databaseOptions = options.database;
    const track = async <Service extends { stop(): Promise<void> }>(started: Promise<Service>) => {
      const service = await started;
      undoSteps.push(() => service.stop());
      return service;
    };

    // One simulated clock for everything: ticks, the Worker's HTTP requests, the Twitch fake.
    const clock = new SimulatedClock(Date.now, { time: options.time });
    const devClock = await track(startDevClockServer(clock));

    progress("starting Postgres, Redis and the fakes of Discord and Twitch");
    const starts = [
      (async () => {
        const started = await track(startDevDatabase(databaseOptions));
        await migrate({ databaseUrl: started.databaseUrl, log: () => {} });
        return started;
      })(),
      track(startUpstashEndpoint({ redisUrl: options.redisUrl, allowInMemory: true })),
      track(
        startTwitchFake({
          clientId: devFixtures.credentials.twitchClientId,
          clientSecret: devFixtures.credentials.twitchClientSecret,
          redirectUris: [`${workerUrl}/twitch/callback`, `${workerUrl}/claim/callback`],
          // As Twitch does: the challenge to the Worker's /twitch/eventsub, then stream.online/offline.
          eventSubDelivery: true,
          now: () => clock.now(),
        }),
      ),
      track(
        startDiscordFake({
          applicationId: devFixtures.credentials.discordApplicationId,
          botToken: devFixtures.credentials.discordBotToken,
          autoCreateChannels: true,
          autoRegisterInteractions: true,
        }),
      ),
      // quicknet's schedule on the real clock, as the Worker reads it: draws wait for a round
      // as in production and verify against the fake's own key.
      track(startDrandFake({ seed: "liveloot npm run dev" })),
    ] as const;
    // Every start finishes before a failure is thrown, so that everything started gets stopped.
    await Promise.allSettled(starts);
    const [database, upstash, twitch, discord, drand] = await Promise.all(starts);
    const neonWsProxy = database.isLocal ? await track(startNeonWsProxy()) : undefined;
    const neonHttpEndpoint = database.isLocal ? await track(startNeonHttpEndpoint()) : undefined;

    seedFakes(twitch.state, discord.state);

    const credentials = devFixtures.credentials;
    const adminApiToken = randomBytes(24).toString("base64url");
    await writeDevEnvFile(options.envFile, {
      ...buildLocalBindings(
        { ...credentials, publicBaseUrl: workerUrl },
        {
          databaseUrl: database.databaseUrl,
          neonWebSocketProxy: neonWsProxy?.address,
          neonHttpEndpoint: neonHttpEndpoint?.url,
          upstashUrl: upstash.url,
          upstashToken: upstash.token,
          twitchFakeUrl: twitch.url,
          discordFakeUrl: discord.url,
          drandFake: { url: drand.url, chainHash: drand.chainHash, publicKey: drand.publicKey },
        },
      ),
      DEV_CLOCK_URL: devClock.url,
      // The operator API is on locally, with a token of this run (printed in the summary).
      ADMIN_API_TOKEN: adminApiToken,
    });

    progress("starting wrangler dev");
    const wrangler = await startWrangler({
      directory: repositoryRoot,
      port: workerPort,
      inspectorPort: await findFreePort(),
      envFile: options.envFile,
      onOutput: options.onWorkerOutput,
    });
    undoSteps.push(wrangler.stop);

    const ticker = startTicker({ workerUrl, clock, automatic: options.time !== "manual" });
    undoSteps.push(async () => ticker.stop());

    const playground = await track(
      startPlaygroundServer({
        port: playgroundPort,
        playgroundDirectory: join(repositoryRoot, "playground"),
        workerUrl,
        commands: listCommandDefinitions(),
        applicationId: credentials.discordApplicationId,
        guild: devFixtures.guild,
        channels: devFixtures.channels,
        twitch,
        discord,
        clock,
        ticker,
      }),
    );

    return {
      mode: options.mode,
      workerUrl,
      playgroundUrl: playground.url,
      postgresKind: database.kind,
      redisKind: upstash.kind,
      redisWarning: upstash.warning,
      twitchFakeUrl: twitch.url,
      discordFakeUrl: discord.url,
      drandChainInfoUrl: `${drand.url}/${drand.chainHash}/info`,
      adminApiToken,
      ticker,
      stop,
    };
  } catch (error) {
    await stop().catch((stopError: unknown) => console.error("while undoing a failed start:", stopError));
    throw error;
  }
}

type TwitchFakeState = Awaited<ReturnType<typeof startTwitchFake>>["state"];
type DiscordFakeState = Awaited<ReturnType<typeof startDiscordFake>>["state"];

/** The streamer to sign in as on the consent page, their chat, and the Discord server's channels. */
function seedFakes(twitch: TwitchFakeState, discord: DiscordFakeState): void {
  const streamer = devFixtures.twitchStreamer;
  twitch.upsertUser(streamer);
  const chatters = devFixtures.chatterLogins.map((login, index) =>
    login === streamer.login ? streamer : { id: String(52_000_001 + index), login, displayName: login },
  );
  // Every chatter is a Twitch account, as on Twitch: Get Users answers for them (the account-age
  // gate asks), all created years ago; the playground's Viewers panel changes the dates.
  for (const chatter of chatters) if (chatter !== streamer) twitch.upsertUser(chatter);
  twitch.setChatters(streamer.id, { chatters });
  discord.upsertGuild(devFixtures.guild);
  for (const channel of devFixtures.channels) discord.createChannel({ id: channel.id, guildId: devFixtures.guild.id });
}

/**
 * A fixed port must be free, or `wrangler dev` would quietly answer from another one and the
 * health check would meet the other server. 0 means any free port.
 */
async function claimPort(port: number, what: string): Promise<number> {
  if (port === 0) return findFreePort();
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
  } catch {
    throw new Error(
      `Port ${port} for ${what} is in use. Is another \`npm run dev\` running? Stop it, or free the port.`,
    );
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

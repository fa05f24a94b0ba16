import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startDiscordFake } from "../devkit/fakes/discordFake";
import { startDrandFake } from "../devkit/fakes/drandFake";
import { TwitchControl } from "../devkit/fakes/twitchControl";
import { startTwitchFake } from "../devkit/fakes/twitchFake";
import { testCredentials } from "../devkit/localBindings";
import { startLocalServices } from "../devkit/services/localServices";
import { createDatabase, dropDatabase } from "../devkit/services/postgres";
import { migrate } from "../scripts/migrate";

const workerIntegrationTests = join(import.meta.dirname, "worker", "integration");

/**
 * Starts, once per run, what the Worker tests talk to: a fresh migrated database on the
 * configured Postgres (DATABASE_URL, a server URL) or a throwaway one, Redis (REDIS_URL or a
 * throwaway redis-server) behind the Upstash bridge, the Neon wsproxy, and the Twitch and
 * Discord fakes. Everything is stopped when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The unit-node tier needs no service: run alone, it starts none.
  if (project.vitest.projects.every((entry) => entry.name === "unit-node")) return async () => {};
  const runId = randomBytes(4).toString("hex");
  const services = await startLocalServices({
    postgresServerUrl: process.env.DATABASE_URL || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    databaseName: `liveloot_test_${runId}`,
  });
  const stops: (() => Promise<void>)[] = [services.stop];
  try {
    await migrate({ databaseUrl: services.databaseUrl, log: () => {} });
    // The tick draws for every due raffle in its database, so a file that runs ticks needs a
    // database of its own: every file of test/worker/integration gets one, named after the file
    // (test/support/worker/ownDatabase.ts), copied from a migrated template.
    const ownDatabaseUrls = await createOwnDatabases(services.postgresServerUrl, runId, stops);
    const twitch = await startTwitchFake({
      clientId: testCredentials.twitchClientId,
      clientSecret: testCredentials.twitchClientSecret,
      redirectUris: [
        `${testCredentials.publicBaseUrl}/twitch/callback`,
        `${testCredentials.publicBaseUrl}/claim/callback`,
      ],
    });
    stops.push(twitch.stop);
    // Every test file links streamers through this one Twitch application, hundreds of links and
    // their EventSub subscriptions within two minutes: far more than a real deployment does in
    // one minute, so the app's Helix bucket (800 points a minute) is raised. Tests of the bucket
    // set their own limits per user.
    await new TwitchControl(twitch.url).setRateLimit({ clientId: testCredentials.twitchClientId, limit: 100_000 });
    const discord = await startDiscordFake({
      botToken: testCredentials.discordBotToken,
      applicationId: testCredentials.discordApplicationId,
    });
    stops.push(discord.stop);
    // Rounds every second: each draw waits for the round after its entrants were read, so tests
    // wait about half a second per draw instead of quicknet's 1.5.
    const drand = await startDrandFake({ seed: "liveloot tests", periodSeconds: 1, genesisSeconds: 1692803367 });
    stops.push(drand.stop);
    const blackHole = await startBlackHole();
    stops.push(blackHole.stop);

    project.provide("databaseUrl", services.databaseUrl);
    project.provide("postgresServerUrl", services.postgresServerUrl);
    project.provide("ownDatabaseUrls", ownDatabaseUrls);
    project.provide("neonWebSocketProxy", services.neonWsProxy);
    project.provide("neonHttpEndpoint", services.neonHttpEndpoint);
    project.provide("upstashUrl", services.upstashUrl);
    project.provide("upstashToken", services.upstashToken);
    project.provide("redisUrl", services.redisUrl);
    project.provide("twitchFakeUrl", twitch.url);
    project.provide("discordFakeUrl", discord.url);
    project.provide("drandFake", { url: drand.url, chainHash: drand.chainHash, publicKey: drand.publicKey });
    project.provide("blackHoleAddress", blackHole.address);
    // The long fault run (bench/faults.ts) sets these; CI runs the short default.
    project.provide("faultRun", {
      minutes: readPositiveInteger(process.env.LIVELOOT_FAULT_MINUTES),
      seed: readPositiveInteger(process.env.LIVELOOT_FAULT_SEED),
    });
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
  return () => stopAll(stops);
}

/**
 * One migrated database per file of test/worker/integration, keyed by the file's name. Copied from
 * a template migrated once (`create database … template`); a server that cannot copy (PGlite)
 * migrates each one.
 */
async function createOwnDatabases(
  serverUrl: string,
  runId: string,
  stops: (() => Promise<void>)[],
): Promise<Record<string, string>> {
  const files = (await readdir(workerIntegrationTests)).filter((name) => name.endsWith(".test.ts")).sort();
  const templateName = `liveloot_test_${runId}_template`;
  const templateUrl = await createDatabase(serverUrl, templateName);
  stops.push(() => dropDatabase(serverUrl, templateName));
  await migrate({ databaseUrl: templateUrl, log: () => {} });
  const urls: Record<string, string> = {};
  for (const [index, file] of files.entries()) {
    const name = `liveloot_test_${runId}_own${index}`;
    stops.push(() => dropDatabase(serverUrl, name));
    urls[file] = await createDatabase(serverUrl, name, templateName).catch(async () => {
      const url = await createDatabase(serverUrl, name);
      await migrate({ databaseUrl: url, log: () => {} });
      return url;
    });
  }
  return urls;
}

function readPositiveInteger(text: string | undefined): number | undefined {
  const value = Number(text);
  return text && Number.isInteger(value) && value > 0 ? value : undefined;
}

async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops.reverse()) {
    await stop().catch((error: unknown) => console.error("test service failed to stop:", error));
  }
}

/** A TCP listener that accepts connections and never answers: a dependency that hangs. */
async function startBlackHole(): Promise<{ address: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

import { type NeonHttpEndpoint, startNeonHttpEndpoint } from "./neonHttpEndpoint";
import { startNeonWsProxy } from "./neonWsProxy";
import { createDatabase, dropDatabase, type PostgresKind, replaceDatabaseName, startPostgres } from "./postgres";
import { runInReverse } from "./runInReverse";
import { startUpstashEndpoint } from "./upstashEndpoint";

/** Everything a Worker under test or `npm run dev` needs, on this machine. */
export interface LocalServices {
  postgresServerUrl: string;
  postgresKind: PostgresKind;
  /** The fresh database (`DATABASE_URL`). */
  databaseUrl: string;
  /** `NEON_WS_PROXY`, e.g. `127.0.0.1:40123/v1`. */
  neonWsProxy: string;
  /** `NEON_HTTP_ENDPOINT`, e.g. `http://127.0.0.1:40124/sql`: where the driver's HTTP queries go. */
  neonHttpEndpoint: string;
  /** Round trips the HTTP endpoint sent to Postgres, per database name (benchmarks). */
  neonHttpCounts: NeonHttpEndpoint["counts"];
  /** `UPSTASH_REDIS_REST_URL`. */
  upstashUrl: string;
  /** `UPSTASH_REDIS_REST_TOKEN`. */
  upstashToken: string;
  /** The Redis behind the bridge, database number included. */
  redisUrl: string;
  /** Undoes everything in reverse order, past individual failures; safe to call more than once. */
  stop(): Promise<void>;
}

export interface LocalServicesOptions {
  /** A Postgres server to use; without it one is started (see startPostgres). */
  postgresServerUrl?: string;
  /** A Redis server to claim a database on; without it one is started (see startUpstashEndpoint). */
  redisUrl?: string;
  /** Name of the fresh database, created now and dropped at stop. */
  databaseName: string;
  /** Token the Upstash bridge requires; random when omitted. */
  upstashToken?: string;
}

/**
 * Starts Postgres with a fresh database, the Neon WebSocket proxy and HTTP endpoint, Redis and the
 * Upstash bridge.
 * If one of them fails to start, the ones already started are stopped before the error is thrown.
 */
export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  const undoSteps: (() => Promise<void>)[] = [];
  const stop = memoize(() => runInReverse(undoSteps, "local service(s)"));
  try {
    const postgres = await startPostgres({ serverUrl: options.postgresServerUrl });
    undoSteps.push(() => postgres.stop());

    let databaseUrl: string;
    if (postgres.kind === "pglite") {
      // PGlite has one database and ignores the name in the URL; each PGlite starts empty anyway.
      databaseUrl = replaceDatabaseName(postgres.serverUrl, options.databaseName);
    } else {
      databaseUrl = await createDatabase(postgres.serverUrl, options.databaseName);
      undoSteps.push(() => dropDatabase(postgres.serverUrl, options.databaseName));
    }

    const neonWsProxy = await startNeonWsProxy();
    undoSteps.push(() => neonWsProxy.stop());
    const neonHttpEndpoint = await startNeonHttpEndpoint();
    undoSteps.push(() => neonHttpEndpoint.stop());

    // Never in memory: the tests need a real Redis.
    const upstash = await startUpstashEndpoint({
      redisUrl: options.redisUrl,
      token: options.upstashToken,
      allowInMemory: false,
    });
    undoSteps.push(() => upstash.stop());

    return {
      postgresServerUrl: postgres.serverUrl,
      postgresKind: postgres.kind,
      databaseUrl,
      neonWsProxy: neonWsProxy.address,
      neonHttpEndpoint: neonHttpEndpoint.url,
      neonHttpCounts: (database) => neonHttpEndpoint.counts(database),
      upstashUrl: upstash.url,
      upstashToken: upstash.token,
      redisUrl: upstash.redisUrl,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {
      // The start failure is the error worth reporting.
    });
    throw error;
  }
}

function memoize(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= run();
    return running;
  };
}

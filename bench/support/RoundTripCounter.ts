import type { PostgresWireCounter } from "./PostgresWireCounter";
import type { CountingProxy } from "./startCountingProxy";

/**
 * Counts the Worker's database round trips from outside it, whichever way it reaches Postgres.
 * bench/commands.ts reads it before and after a batch of commands, once every answer (and any
 * deferred work) is in, and divides the difference by the batch's size.
 */
export interface RoundTripCounter {
  /** How the count is taken, in words, for the report. */
  readonly source: string;
  /** Round trips so far. May wait until the Worker's last work is counted (see the implementations). */
  readRoundTrips(): Promise<number>;
}

const closeWaitMilliseconds = 10_000;

/**
 * Today's path, counted on the wire: the Neon driver's WebSocket `Pool` through the local
 * wsproxy, with the counting proxy in front reading the Postgres protocol (PostgresWireCounter).
 * Exact per command, and immediate: it waits only until the Worker has closed its WebSockets
 * (each request closes its pool once its background work is done).
 */
export function countWireRoundTrips(wire: PostgresWireCounter, neonProxy: CountingProxy): RoundTripCounter {
  return {
    source: "Query and Sync messages of the Postgres protocol, read in the WebSockets through the wsproxy",
    async readRoundTrips() {
      const deadline = performance.now() + closeWaitMilliseconds;
      while (neonProxy.readOpenUpgrades() > 0) {
        if (performance.now() > deadline) throw new Error("the Worker's database WebSockets did not close");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return wire.roundTrips;
    },
  };
}

/**
 * What the local Neon HTTP endpoint (scripts/services/neonHttpEndpoint.ts) counts: the part of it
 * this benchmark needs, so it does not depend on the rest.
 */
export interface NeonHttpRoundTrips {
  /** One HTTP request that reached Postgres is one round trip, a `transaction()` batch included. */
  counts(database?: string): { roundTrips: number };
}

/**
 * Neon's HTTP path (`neon()` / `transaction()` over `fetch`): the endpoint counts each request
 * itself, for the benchmark's database only. Nothing to wait for: a query is counted when it
 * reaches Postgres, and the benchmark reads after every answer and deferred edit is in.
 */
export function countNeonHttpRoundTrips(endpoint: NeonHttpRoundTrips, databaseName: string): RoundTripCounter {
  return {
    source: "requests the local Neon HTTP endpoint sent to Postgres",
    readRoundTrips: async () => endpoint.counts(databaseName).roundTrips,
  };
}

import type { DatabaseProbe } from "./DatabaseProbe";
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
 * Today's path, counted by Postgres: the Neon driver's WebSocket `Pool` through the local wsproxy. Each statement the
 * Worker sends outside a transaction is one Postgres transaction, and so is each session start,
 * so round trips = transactions in `pg_stat_database` (the probe's own left out) − WebSockets
 * opened (the counting proxy in front of the wsproxy). `readTransactions` waits until the
 * Worker's sessions have closed, which is when Postgres publishes their counts.
 *
 * Exact as long as the Worker sends no `BEGIN … COMMIT` of its own (it does not today: a
 * transaction of n statements would count once, not n + 2 times).
 */
export function countWebSocketRoundTrips(probe: DatabaseProbe, neonProxy: CountingProxy): RoundTripCounter {
  return {
    source: "Postgres transactions (pg_stat_database) − sessions opened through the wsproxy",
    async readRoundTrips() {
      const transactions = await probe.readTransactions();
      // Read after the sessions closed: every upgrade that led to them is counted by now.
      return transactions - neonProxy.readCounts().upgrades;
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

/**
 * Both at once, for the switch-over: commands on HTTP while other work (or a command not yet
 * moved) still opens WebSockets.
 */
export function sumRoundTrips(counters: readonly RoundTripCounter[]): RoundTripCounter {
  return {
    source: counters.map((counter) => counter.source).join(" + "),
    async readRoundTrips() {
      let total = 0;
      for (const counter of counters) total += await counter.readRoundTrips();
      return total;
    },
  };
}

import pg from "pg";
import { quicknet } from "../../worker/fairness/beacon";
import { roundPublishedAt } from "../../worker/fairness/livelootV1";

const settleWaitMilliseconds = 50;
const settleAttempts = 400;

/**
 * Transactions Postgres counts for one session: its start (the backend reads the catalogs in a
 * transaction of its own) and the one statement a probe sends.
 */
const transactionsPerProbe = 2;

/**
 * Looks at the benchmark database from outside the Worker: counts the transactions Postgres
 * recorded, and the draws delivered. Each statement the Worker sends outside a transaction is
 * one transaction, and so is each session it opens, so statements = transactions − sessions.
 *
 * Postgres publishes a session's counts when it goes idle or exits, so `readTransactions` waits
 * until no other session is connected (the Worker closes its pool after each invocation). Each
 * probe is one statement on a fresh session, so its own transactions are known and left out.
 */
export class DatabaseProbe {
  private ownTransactions = 0;

  constructor(private readonly databaseUrl: string) {}

  /** Transactions Postgres counted in this database so far, minus the probe's own. */
  async readTransactions(): Promise<number> {
    for (let attempt = 0; attempt < settleAttempts; attempt += 1) {
      const ownBefore = this.ownTransactions;
      const [row] = await this.queryOnce<{ others: number; total: string }>(
        `select (select count(*)::integer from pg_stat_activity
                 where datname = current_database() and pid <> pg_backend_pid()) as others,
           (select xact_commit + xact_rollback from pg_stat_database where datname = current_database()) as total`,
      );
      if (row && row.others === 0) return Number(row.total) - ownBefore;
      await new Promise((resolve) => setTimeout(resolve, settleWaitMilliseconds));
    }
    throw new Error("the Worker's database sessions did not close");
  }

  /** Draws of `slotAt` whose announcement was delivered. */
  async countDeliveredDraws(slotAt: number): Promise<number> {
    const [row] = await this.queryOnce<{ delivered: number }>(
      "select count(*)::integer as delivered from draws where slot_at = $1 and announcement_status = 'delivered'",
      [new Date(slotAt)],
    );
    return row?.delivered ?? 0;
  }

  /**
   * The longest any of the slot's draws waited for its beacon round: from when its entrants were
   * read until the round was published (quicknet's schedule, as the bench's drand fake keeps it).
   * The direct path reads once per tick, each queue consumer batch once for itself.
   */
  async readBeaconWait(slotAt: number): Promise<number | undefined> {
    const rows = await this.queryOnce<{ read_at: Date; round: string }>(
      `select entrants_read_at as read_at, beacon_round::text as round from draws
       where slot_at = $1 and beacon_round is not null`,
      [new Date(slotAt)],
    );
    if (rows.length === 0) return undefined;
    return Math.max(...rows.map((row) => roundPublishedAt(Number(row.round), quicknet) - row.read_at.getTime()));
  }

  private async queryOnce<Row extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<Row[]> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      this.ownTransactions += transactionsPerProbe;
      return (await client.query<Row>(text, values)).rows;
    } finally {
      await client.end();
    }
  }
}

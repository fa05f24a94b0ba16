import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neonConfig, Pool } from "@neondatabase/serverless";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNeonWsProxy } from "../services/neonWsProxy";
import { createDatabase, dropDatabase, type PostgresServer, startPostgres } from "../services/postgres";
import { startPgliteServer } from "../services/startPgliteServer";

const hasPostgresBinaries = spawnSync("pg_config", ["--bindir"]).status === 0;

async function query<Row extends Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

function createDatabaseName(): string {
  return `liveloot_test_${randomBytes(6).toString("hex")}`;
}

describe("startPostgres with a configured server", () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres({ serverUrl: process.env.DATABASE_URL });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("uses a server that answers and leaves it running at stop", async () => {
    const configured = await startPostgres({ serverUrl: server.serverUrl });
    expect(configured).toMatchObject({ kind: "configured", serverUrl: server.serverUrl });
    await configured.stop();
    expect(await query(server.serverUrl, "select 1 as one")).toEqual([{ one: 1 }]);
  });

  it("rejects a server that does not answer", async () => {
    await expect(startPostgres({ serverUrl: "postgres://postgres:secret@127.0.0.1:1/postgres" })).rejects.toThrow(
      /did not answer/,
    );
    await expect(startPostgres({ serverUrl: "postgres://postgres:secret@127.0.0.1:1/postgres" })).rejects.not.toThrow(
      /secret/,
    );
  });

  it("creates a database and force-drops it under open connections", async () => {
    const name = createDatabaseName();
    const databaseUrl = await createDatabase(server.serverUrl, name);
    expect(new URL(databaseUrl).pathname).toBe(`/${name}`);
    const holder = new pg.Client({ connectionString: databaseUrl });
    holder.on("error", () => {});
    try {
      await holder.connect();
      expect((await holder.query("select current_database() as name")).rows).toEqual([{ name }]);
      await dropDatabase(server.serverUrl, name);
      const remaining = await query(server.serverUrl, "select 1 from pg_database where datname = $1", [name]);
      expect(remaining).toEqual([]);
      await expect(holder.query("select 1")).rejects.toThrow();
    } finally {
      await holder.end().catch(() => {});
      await dropDatabase(server.serverUrl, name);
    }
  });

  it("refuses database names that would need quoting", async () => {
    await expect(createDatabase(server.serverUrl, 'x"; drop database postgres; --')).rejects.toThrow(
      /Invalid database name/,
    );
    await expect(dropDatabase(server.serverUrl, "a-b")).rejects.toThrow(/Invalid database name/);
  });
});

describe.skipIf(!hasPostgresBinaries)("startPostgres without a configured server", () => {
  it("starts a throwaway cluster on 127.0.0.1 and removes it at stop", async () => {
    const cluster = await startPostgres({});
    try {
      expect(cluster.kind).toBe("cluster");
      expect(cluster.serverUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      const [settings] = await query<{ listen: string; auth: string }>(
        cluster.serverUrl,
        "select current_setting('listen_addresses') as listen, (select auth_method from pg_hba_file_rules limit 1) as auth",
      );
      expect(settings).toEqual({ listen: "127.0.0.1", auth: "trust" });
      const name = createDatabaseName();
      await createDatabase(cluster.serverUrl, name);
      await dropDatabase(cluster.serverUrl, name);
    } finally {
      await cluster.stop();
    }
    await expect(query(cluster.serverUrl, "select 1")).rejects.toThrow();
    await cluster.stop();
  });

  it("keeps its data in a given data directory across restarts", async () => {
    const parent = await mkdtemp(join(tmpdir(), "liveloot-test-"));
    // As root the cluster runs as the postgres user, who must be able to reach the directory.
    await chmod(parent, 0o755);
    const dataDirectory = join(parent, "data");
    try {
      const first = await startPostgres({ dataDirectory });
      try {
        expect(first.kind).toBe("cluster");
        await query(first.serverUrl, "create table kept (value text); insert into kept values ('still here')");
      } finally {
        await first.stop();
      }
      const second = await startPostgres({ dataDirectory });
      try {
        expect(await query(second.serverUrl, "select value from kept")).toEqual([{ value: "still here" }]);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasPostgresBinaries)("startPostgres on a kept cluster that an earlier run did not stop", () => {
  let parent = "";
  let dataDirectory = "";
  const readPostmasterPid = async () =>
    Number((await readFile(join(dataDirectory, "cluster", "postmaster.pid"), "utf8")).split("\n")[0]);

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), "liveloot-test-"));
    // As root the cluster runs as the postgres user, who must be able to reach the directory.
    await chmod(parent, 0o755);
  });

  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  /** Starts the kept cluster, lets `leave` abandon it like a crashed run, and starts it again. */
  async function restartAfter(leave: (first: PostgresServer) => Promise<void>): Promise<void> {
    dataDirectory = join(parent, randomBytes(4).toString("hex"));
    const first = await startPostgres({ dataDirectory });
    let second: PostgresServer | undefined;
    try {
      expect(first.kind).toBe("cluster");
      await query(first.serverUrl, "create table kept (value text); insert into kept values ('still here')");
      await leave(first);
      second = await startPostgres({ dataDirectory });
      // Not PGlite: the kept data is there.
      expect(second.kind).toBe("cluster");
      expect(await query(second.serverUrl, "select value from kept")).toEqual([{ value: "still here" }]);
    } finally {
      // pg_ctl stop acts on the directory, so only the server running there now is stopped.
      await (second ?? first).stop();
    }
  }

  it("stops the server an earlier run left running, then starts it anew", async () => {
    let firstUrl = "";
    await restartAfter(async (first) => {
      firstUrl = first.serverUrl;
    });
    await expect(query(firstUrl, "select 1")).rejects.toThrow();
  });

  it("recovers after the server was killed (kill -9), leaving a stale postmaster.pid", async () => {
    await restartAfter(async () => {
      process.kill(await readPostmasterPid(), "SIGKILL");
    });
  });

  it("removes a postmaster.pid whose pid now belongs to another process", async () => {
    await restartAfter(async (first) => {
      const pidFile = join(dataDirectory, "cluster", "postmaster.pid");
      const recorded = await readFile(pidFile, "utf8");
      await first.stop();
      // This test's own process stands in for an unrelated process that got the pid after a reboot.
      await writeFile(pidFile, recorded.replace(/^\d+/, String(process.pid)));
    });
  });
});

describe("startPgliteServer", () => {
  it("serves PGlite to pg and to a Neon Pool through the proxy", async () => {
    const server = await startPgliteServer();
    const proxy = await startNeonWsProxy();
    neonConfig.wsProxy = proxy.address;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
    const pool = new Pool({ connectionString: server.serverUrl, max: 1 });
    pool.on("error", () => {});
    try {
      expect(server.serverUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      expect(await query(server.serverUrl, "select $1::int + 1 as two", [1])).toEqual([{ two: 2 }]);

      const client = await pool.connect();
      try {
        await client.query("create table prizes (name text)");
        await client.query("begin");
        await client.query("insert into prizes values ($1)", ["sword"]);
        await client.query("commit");
      } finally {
        client.release();
      }
      // Another connection sees the committed row: one database, shared by every connection.
      expect(await query(server.serverUrl, "select name from prizes")).toEqual([{ name: "sword" }]);
    } finally {
      await pool.end().catch(() => {});
      await proxy.stop();
      await server.stop();
    }
    await expect(query(server.serverUrl, "select 1")).rejects.toThrow();
  });

  it("keeps its data in a data directory whose parents do not exist yet", async () => {
    const parent = await mkdtemp(join(tmpdir(), "liveloot-test-"));
    // As on the first `npm run dev` without Postgres binaries: `<data dir>/postgres/` is not there.
    const dataDirectory = join(parent, "postgres", "pglite");
    try {
      const first = await startPgliteServer({ dataDirectory });
      try {
        await query(first.serverUrl, "create table kept (value text); insert into kept values ('still here')");
      } finally {
        await first.stop();
      }
      const second = await startPgliteServer({ dataDirectory });
      try {
        expect(await query(second.serverUrl, "select value from kept")).toEqual([{ value: "still here" }]);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});

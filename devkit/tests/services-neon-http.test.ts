import { randomBytes } from "node:crypto";
import { neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NeonHttpEndpoint, startNeonHttpEndpoint } from "../services/neonHttpEndpoint";
import { createDatabase, dropDatabase, type PostgresServer, startPostgres } from "../services/postgres";

let postgres: PostgresServer;
let endpoint: NeonHttpEndpoint;
let databaseName: string;
let databaseUrl: string;

beforeAll(async () => {
  postgres = await startPostgres({ serverUrl: process.env.DATABASE_URL });
  databaseName = `liveloot_test_${randomBytes(6).toString("hex")}`;
  databaseUrl = await createDatabase(postgres.serverUrl, databaseName);
  endpoint = await startNeonHttpEndpoint();
  // What the Worker sets: every neon() query goes to the local endpoint, whatever the host.
  neonConfig.fetchEndpoint = endpoint.url;
  const sql = neon(databaseUrl);
  await sql.query(
    `create table prizes (
       id integer generated always as identity primary key,
       name text not null constraint prizes_name_key unique,
       weight integer not null constraint prizes_weight_positive check (weight > 0)
     )`,
  );
});

afterAll(async () => {
  await endpoint?.stop();
  if (databaseName !== undefined) await dropDatabase(postgres.serverUrl, databaseName);
  await postgres?.stop();
});

/** Sends a request the driver would not, and returns the status and the JSON body. */
async function post(
  body: string,
  headers: Record<string, string> = {},
  options: { url?: string; method?: string } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(options.url ?? endpoint.url, {
    method: options.method ?? "POST",
    headers: { "Neon-Connection-String": databaseUrl, ...headers },
    body: options.method === "GET" ? undefined : body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function clearPrizes(): Promise<void> {
  await neon(databaseUrl).query("truncate prizes restart identity");
}

describe("startNeonHttpEndpoint with the real neon() driver", () => {
  it("returns parameterized values parsed by the driver's own type parsers", async () => {
    const sql = neon(databaseUrl);
    const when = new Date("2024-05-06T07:08:09.123Z");
    const rows = await sql.query(
      `select $1::int as integer, $2::bigint as big, $3::text as text, $4::boolean as flag,
              $5::timestamptz as at, $6::jsonb as document, $7::text[] as tags, null::text as nothing,
              $8::numeric as amount, $9::bytea as bytes`,
      [
        42,
        "9007199254740993",
        'it\'s "quoted"',
        true,
        when,
        { items: [1, "two"] },
        ["a", "b c", null],
        "1.50",
        Buffer.from([0, 255]),
      ],
    );
    expect(rows).toEqual([
      {
        integer: 42,
        big: "9007199254740993",
        text: 'it\'s "quoted"',
        flag: true,
        at: when,
        document: { items: [1, "two"] },
        tags: ["a", "b c", null],
        nothing: null,
        amount: "1.50",
        bytes: Buffer.from([0, 255]),
      },
    ]);
    expect(rows[0]?.at).toBeInstanceOf(Date);

    const name = "sword";
    const tagged = await sql`select ${name}::text || '!' as shout, ${7}::int * 6 as answer`;
    expect(tagged).toEqual([{ shout: "sword!", answer: 42 }]);
  });

  it("answers arrayMode and fullResults in the driver's shapes", async () => {
    const arrays = neon(databaseUrl, { arrayMode: true });
    expect(await arrays.query("select 1::int as one, 'x'::text as ex union all select 2, null")).toEqual([
      [1, "x"],
      [2, null],
    ]);

    const full = neon(databaseUrl, { fullResults: true });
    const result = await full.query("select 1::int as one, 'x'::text as ex");
    expect(result).toMatchObject({
      command: "SELECT",
      rowCount: 1,
      rows: [{ one: 1, ex: "x" }],
      rowAsArray: false,
      fields: [
        { name: "one", dataTypeID: 23, tableID: 0, columnID: 0, dataTypeSize: 4, dataTypeModifier: -1, format: "text" },
        { name: "ex", dataTypeID: 25, tableID: 0, columnID: 0, dataTypeSize: -1, dataTypeModifier: -1, format: "text" },
      ],
    });

    const both = await neon(databaseUrl, { arrayMode: true, fullResults: true }).query(
      "insert into prizes (name, weight) values ($1, 1), ($2, 2) returning id, name",
      ["fullA", "fullB"],
    );
    expect(both).toMatchObject({
      command: "INSERT",
      rowCount: 2,
      rowAsArray: true,
      rows: [
        [expect.any(Number), "fullA"],
        [expect.any(Number), "fullB"],
      ],
    });
    expect(both.fields.map((field) => field.tableID)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(both.fields[1]?.tableID).toBeGreaterThan(0);
    expect(both.fields[1]?.columnID).toBe(2);

    const ddl = await full.query("create temporary table scratch (x int)");
    expect(ddl).toMatchObject({ command: "CREATE", rowCount: null, rows: [], fields: [] });
    await clearPrizes();
  });

  it("commits a transaction() whole and rolls it back whole when one statement fails", async () => {
    await clearPrizes();
    const sql = neon(databaseUrl);
    const results = await sql.transaction([
      sql`insert into prizes (name, weight) values ('sword', 10)`,
      sql`insert into prizes (name, weight) values ('shield', 5) returning name`,
      sql`select count(*)::int as count from prizes`,
    ]);
    expect(results).toEqual([[], [{ name: "shield" }], [{ count: 2 }]]);

    const failed = sql.transaction((txn) => [
      txn`insert into prizes (name, weight) values ('bow', 3)`,
      txn`insert into prizes (name, weight) values ('sword', 1)`,
      txn`insert into prizes (name, weight) values ('axe', 2)`,
    ]);
    await expect(failed).rejects.toMatchObject({ name: "NeonDbError", code: "23505", constraint: "prizes_name_key" });
    expect(await sql`select name from prizes order by name`).toEqual([{ name: "shield" }, { name: "sword" }]);
  });

  it("applies the transaction options as the batch headers ask", async () => {
    const sql = neon(databaseUrl);
    const [isolation, readOnly, deferrable] = await sql.transaction(
      [
        sql`select current_setting('transaction_isolation') as value`,
        sql`select current_setting('transaction_read_only') as value`,
        sql`select current_setting('transaction_deferrable') as value`,
      ],
      { isolationLevel: "Serializable", readOnly: true, deferrable: true },
    );
    expect([isolation, readOnly, deferrable]).toEqual([
      [{ value: "serializable" }],
      [{ value: "on" }],
      [{ value: "on" }],
    ]);

    const [defaults] = await sql.transaction([sql`select current_setting('transaction_read_only') as value`]);
    expect(defaults).toEqual([{ value: "off" }]);

    await expect(
      sql.transaction([sql`insert into prizes (name, weight) values ('wand', 1)`], { readOnly: true }),
    ).rejects.toMatchObject({ code: "25006" });
  });

  it("surfaces Postgres errors as NeonDbError with their fields", async () => {
    await clearPrizes();
    const sql = neon(databaseUrl);
    await sql`insert into prizes (name, weight) values ('sword', 10)`;

    const unique = await sql`insert into prizes (name, weight) values ('sword', 1)`.catch((error: unknown) => error);
    expect(unique).toMatchObject({
      name: "NeonDbError",
      message: expect.stringContaining("duplicate key value violates unique constraint"),
      code: "23505",
      constraint: "prizes_name_key",
      table: "prizes",
      schema: "public",
      detail: "Key (name)=(sword) already exists.",
      severity: "ERROR",
      routine: expect.any(String),
      file: expect.any(String),
      line: expect.any(String),
    });

    await expect(sql`insert into prizes (name, weight) values ('empty', 0)`).rejects.toMatchObject({
      code: "23514",
      constraint: "prizes_weight_positive",
      table: "prizes",
    });

    await expect(sql`insert into prizes (name) values ('nameless')`).rejects.toMatchObject({
      code: "23502",
      column: "weight",
    });

    await expect(sql.query("selec 1")).rejects.toMatchObject({ code: "42601", position: "1" });
    // As on Neon (extended protocol): one statement per query.
    await expect(sql.query("select 1; select 2")).rejects.toMatchObject({ code: "42601" });
    await expect(sql.query("select 1/0")).rejects.toMatchObject({ code: "22012" });
    await expect(sql.query("do $$ begin perform 1 from no_such_table; end $$")).rejects.toMatchObject({
      code: "42P01",
      internalQuery: expect.stringContaining("no_such_table"),
      internalPosition: expect.any(String),
      where: expect.stringContaining("PL/pgSQL"),
    });

    // Errors leave the endpoint usable.
    expect(await sql`select count(*)::int as count from prizes`).toEqual([{ count: 1 }]);
  });

  it("reports a missing database with its SQLSTATE", async () => {
    const missing = new URL(databaseUrl);
    missing.pathname = "/liveloot_no_such_database";
    await expect(neon(missing.toString()).query("select 1")).rejects.toMatchObject({ code: "3D000" });
  });

  it("does not return a connection left inside a transaction to the pool", async () => {
    const ownEndpoint = await startNeonHttpEndpoint({ maxConnectionsPerDatabase: 1 });
    try {
      const send = async (query: string) => {
        const response = await fetch(ownEndpoint.url, {
          method: "POST",
          headers: { "Neon-Connection-String": databaseUrl, "Neon-Raw-Text-Output": "true" },
          body: JSON.stringify({ query, params: [] }),
        });
        return (await response.json()) as { rows: Record<string, unknown>[] };
      };
      const backend = async () => (await send("select pg_backend_pid() as pid")).rows[0]?.pid;
      const first = await backend();
      expect(await backend()).toBe(first); // an idle connection is reused
      await send("begin");
      const afterBegin = await backend();
      expect(afterBegin).not.toBe(first);
      expect((await send("select current_setting('transaction_isolation') as level")).rows).toEqual([
        { level: "read committed" },
      ]);
    } finally {
      await ownEndpoint.stop();
    }
  });

  it("counts round trips: one per request, a transaction included", async () => {
    const sql = neon(databaseUrl);
    endpoint.resetCounts();
    await sql`select 1`;
    await sql.transaction([sql`select 1`, sql`select 2`, sql`select 3`]);
    await sql.query("selec").catch(() => {});
    expect(endpoint.counts()).toEqual({ roundTrips: 3, statements: 5, transactions: 1, errors: 1 });
    expect(endpoint.counts(databaseName)).toEqual(endpoint.counts());
    expect(endpoint.counts("another_database")).toEqual({ roundTrips: 0, statements: 0, transactions: 0, errors: 0 });
    expect(endpoint.roundTripCount).toBe(3);
    expect(endpoint.statementCount).toBe(5);
    // Refused requests, and connections Postgres refuses, never reach it.
    await post("{not json");
    const missing = new URL(databaseUrl);
    missing.pathname = "/liveloot_no_such_database";
    await neon(missing.toString())
      .query("select 1")
      .catch(() => {});
    expect(endpoint.roundTripCount).toBe(3);
  });
});

describe("startNeonHttpEndpoint, requests the driver does not send", () => {
  it("answers 400 with a JSON message for malformed requests", async () => {
    const malformed = await post("{not json", { "Neon-Raw-Text-Output": "true" });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({
      message: expect.stringContaining("could not parse the HTTP request body"),
      code: "",
    });

    expect((await post(JSON.stringify({ sql: "select 1" }))).status).toBe(400);
    expect((await post(JSON.stringify({ query: 1 }))).status).toBe(400);
    expect((await post(JSON.stringify({ query: "select 1", params: "x" }))).status).toBe(400);
    expect((await post(JSON.stringify({ queries: [{ query: "select 1" }, 2] }))).status).toBe(400);

    const noConnectionString = await fetch(endpoint.url, {
      method: "POST",
      body: JSON.stringify({ query: "select 1" }),
    });
    expect(noConnectionString.status).toBe(400);
    expect(await noConnectionString.json()).toMatchObject({ message: "invalid header: neon-connection-string" });

    const badIsolation = await post(JSON.stringify({ queries: [] }), { "Neon-Batch-Isolation-Level": "Chaos" });
    expect(badIsolation).toMatchObject({ status: 400, json: { message: "invalid isolation level" } });
  });

  it("the driver reports a 400 without Postgres fields as a NeonDbError with its message", async () => {
    const refused = await neon("postgres://postgres@10.1.2.3:5432/anything")
      .query("select 1")
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: "NeonDbError", message: expect.stringContaining("loopback") });
  });

  it("refuses other paths, other methods and bodies over the cap", async () => {
    const otherPath = await post("{}", {}, { url: endpoint.url.replace("/sql", "/v1") });
    expect(otherPath.status).toBe(404);
    const otherMethod = await post("", {}, { method: "GET" });
    expect(otherMethod.status).toBe(405);

    const small = await startNeonHttpEndpoint({ maxRequestBytes: 64 });
    try {
      const tooLarge = await post(JSON.stringify({ query: `select '${"x".repeat(100)}'` }), {}, { url: small.url });
      expect(tooLarge).toMatchObject({ status: 413, json: { message: "request is too large (max is 64 bytes)" } });
    } finally {
      await small.stop();
    }

    const smallAnswers = await startNeonHttpEndpoint({ maxResponseBytes: 100 });
    try {
      const tooLarge = await post(JSON.stringify({ query: "select repeat('x', 200)" }), {}, { url: smallAnswers.url });
      expect(tooLarge.status).toBe(507);
    } finally {
      await smallAnswers.stop();
    }
  });

  it("converts values to JSON without Neon-Raw-Text-Output, as Neon does", async () => {
    const { status, json } = await post(
      JSON.stringify({
        query: `select 1::int as i, 2::bigint as b, 1.5::float8 as f, 'NaN'::float8 as nan, true as t,
                       '{"a":[1]}'::jsonb as j, array[1,2,null]::int[] as ints,
                       array['a','b "c"',null,'NULL']::text[] as texts, array[[true],[false]] as nested,
                       $1::text as param, $2::int[] as param_array`,
        params: ["p", [3, 4]],
      }),
    );
    expect(status).toBe(200);
    expect(json.rows).toEqual([
      {
        i: 1,
        b: "2",
        f: 1.5,
        nan: "NaN",
        t: true,
        j: { a: [1] },
        ints: [1, 2, null],
        texts: ["a", 'b "c"', null, "NULL"],
        nested: [[true], [false]],
        param: "p",
        param_array: [3, 4],
      },
    ]);
    expect(json.rowAsArray).toBe(false);

    const perQuery = await post(
      JSON.stringify({ queries: [{ query: "select 1 as one", arrayMode: true }, { query: "select 2 as two" }] }),
      { "Neon-Raw-Text-Output": "true" },
    );
    expect(perQuery.json).toMatchObject({
      results: [
        { rows: [["1"]], rowAsArray: true },
        { rows: [{ two: "2" }], rowAsArray: false },
      ],
    });
  });

  it("stops, closing its pools, and then refuses connections", async () => {
    const own = await startNeonHttpEndpoint();
    const response = await post(JSON.stringify({ query: "select 1" }), {}, { url: own.url });
    expect(response.status).toBe(200);
    await own.stop();
    await own.stop();
    await expect(fetch(own.url, { method: "POST", body: "{}" })).rejects.toThrow();
  });
});

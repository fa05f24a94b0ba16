import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { BlockList } from "node:net";
import pg from "pg";

/**
 * A running HTTP server that speaks Neon's SQL-over-HTTP protocol (what `neon()` and its
 * `transaction()` from `@neondatabase/serverless` send) in front of a local Postgres.
 */
export interface NeonHttpEndpoint {
  /** `http://127.0.0.1:<port>/sql`: the driver's `neonConfig.fetchEndpoint`. */
  url: string;
  port: number;
  /**
   * What reached Postgres since the start (or the last `resetCounts()`), for all databases or for
   * the one named. One HTTP request is one round trip, a transaction (batch) included.
   */
  counts(database?: string): NeonHttpCounts;
  resetCounts(): void;
  /** Database round trips so far: HTTP requests that reached Postgres, a batch counting once. */
  readonly roundTripCount: number;
  /** Statements so far: a batch of three counts three. */
  readonly statementCount: number;
  /** Closes the server and every pooled Postgres connection. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface NeonHttpCounts {
  /** HTTP requests that were sent on to Postgres (single queries and batches alike). */
  roundTrips: number;
  /** Statements in those requests: 1 for a single query, n for a batch of n. */
  statements: number;
  /** Requests among them that were batches (`transaction()`). */
  transactions: number;
  /** Requests among them that answered with an error. */
  errors: number;
}

export interface NeonHttpEndpointOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: "127.0.0.1";
  /** Largest request body accepted; larger ones get 413. Default 10 MiB. */
  maxRequestBytes?: number;
  /** Largest response body returned; larger ones get 507, as from Neon. Default 10 MiB. */
  maxResponseBytes?: number;
  /** Connections kept per connection string. Default 10. */
  maxConnectionsPerDatabase?: number;
}

/** One statement as the driver sends it: `{ query, params }`, plus Neon's optional `arrayMode`. */
interface QueryData {
  query: string;
  params: (string | null)[];
  arrayMode: boolean | undefined;
}

type Payload = { kind: "single"; query: QueryData } | { kind: "batch"; queries: QueryData[] };

interface HttpHeaders {
  rawTextOutput: boolean;
  arrayMode: boolean;
  isolationLevel: string | undefined;
  readOnly: boolean;
  deferrable: boolean;
}

interface ConnectionTarget {
  /** Pools are shared by requests with the same key: everything but the URL's search parameters. */
  key: string;
  database: string;
  config: pg.PoolConfig;
}

/** The fields of the JSON body the driver turns into a `NeonDbError` (it reads it on 400 only). */
interface ErrorBody {
  message: string;
  code: string;
  detail: string | null;
  hint: string | null;
  position: string | null;
  internalPosition: string | null;
  internalQuery: string | null;
  severity: string;
  where: string | null;
  table: string | null;
  column: string | null;
  schema: string | null;
  dataType: string | null;
  constraint: string | null;
  file: string | null;
  line: string | null;
  routine: string | null;
}

/** An error the endpoint answers itself, with its HTTP status and, for Postgres errors, its fields. */
class EndpointError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly databaseError?: pg.DatabaseError,
  ) {
    super(message);
  }
}

const sqlPath = "/sql";
const defaultMaxBytes = 10 * 1024 * 1024;

// Neon's header names (proxy/src/serverless/http_util.rs); Node lower-cases incoming ones.
const connectionStringHeader = "neon-connection-string";
const rawTextOutputHeader = "neon-raw-text-output";
const arrayModeHeader = "neon-array-mode";
const isolationLevelHeader = "neon-batch-isolation-level";
const readOnlyHeader = "neon-batch-read-only";
const deferrableHeader = "neon-batch-deferrable";

const isolationLevels: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

// Like the wsproxy, this endpoint opens connections for whoever reaches it: only to this machine.
const loopbackAddresses = new BlockList();
loopbackAddresses.addSubnet("127.0.0.0", 8, "ipv4");
loopbackAddresses.addAddress("::1", "ipv6");

/** Every value as Postgres sent it (text), as Neon answers with `Neon-Raw-Text-Output: true`. */
const rawTextTypes = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/**
 * Starts the endpoint on 127.0.0.1. `POST /sql` with a `Neon-Connection-String` header runs a
 * `{ query, params }` body on the database that header names, or a `{ queries: [...] }` body in
 * one transaction, and answers as Neon's proxy does (proxy/src/serverless/sql_over_http.rs).
 * The connection string is used as is (locally it is the real Postgres URL), loopback hosts only.
 */
export async function startNeonHttpEndpoint(options: NeonHttpEndpointOptions = {}): Promise<NeonHttpEndpoint> {
  const maxRequestBytes = options.maxRequestBytes ?? defaultMaxBytes;
  const maxResponseBytes = options.maxResponseBytes ?? defaultMaxBytes;
  const pools = new Map<string, pg.Pool>();
  const countsByDatabase = new Map<string, NeonHttpCounts>();
  let stopped = false;

  const poolFor = (target: ConnectionTarget): pg.Pool => {
    let pool = pools.get(target.key);
    if (pool === undefined) {
      pool = new pg.Pool({
        ...target.config,
        max: options.maxConnectionsPerDatabase ?? 10,
        idleTimeoutMillis: 10_000,
        connectionTimeoutMillis: 10_000,
      });
      // An idle connection can be ended under us (a database dropped `with (force)`, a restart);
      // the pool removes it, and the next request connects anew.
      pool.on("error", () => {});
      pools.set(target.key, pool);
    }
    return pool;
  };

  const count = (database: string, statements: number, transaction: boolean): NeonHttpCounts => {
    let counts = countsByDatabase.get(database);
    if (counts === undefined) {
      counts = emptyCounts();
      countsByDatabase.set(database, counts);
    }
    counts.roundTrips += 1;
    counts.statements += statements;
    if (transaction) counts.transactions += 1;
    return counts;
  };

  const handle = async (request: IncomingMessage): Promise<{ status: number; body: string }> => {
    const url = new URL(request.url ?? "/", "http://endpoint.invalid");
    if (url.pathname !== sqlPath) throw new EndpointError(404, `Unknown path ${url.pathname}; use POST ${sqlPath}`);
    if (request.method !== "POST") throw new EndpointError(405, `Use POST ${sqlPath}`);
    const headers = readHeaders(request);
    const target = readConnectionTarget(request);
    const payload = readPayload(await readBody(request, maxRequestBytes));
    if (stopped) throw new EndpointError(503, "The Neon HTTP endpoint is stopping");

    const client = await connect(poolFor(target));
    // Counted once a connection is in hand: a request refused before, or whose connection failed,
    // never reached Postgres.
    const counts = count(
      target.database,
      payload.kind === "single" ? 1 : payload.queries.length,
      payload.kind === "batch",
    );
    try {
      let body: string;
      let broken = false;
      try {
        const result =
          payload.kind === "single"
            ? await runQuery(client, payload.query, headers)
            : { results: await runBatch(client, payload.queries, headers) };
        body = JSON.stringify(result);
      } catch (error) {
        // A Postgres error leaves the connection usable; anything else (a lost connection) not.
        broken = !(error instanceof EndpointError);
        throw error;
      } finally {
        // As Neon's pool: a connection goes back only when idle, not inside a transaction that a
        // lone `BEGIN` left open, nor after a batch whose ROLLBACK failed.
        client.release(broken || client.getTransactionStatus() !== "I");
      }
      if (Buffer.byteLength(body) > maxResponseBytes) {
        throw new EndpointError(507, `response is too large (max is ${maxResponseBytes} bytes)`);
      }
      return { status: 200, body };
    } catch (error) {
      counts.errors += 1;
      throw error;
    }
  };

  const server = createServer((request, response) => {
    handle(request).then(
      ({ status, body }) => writeJson(response, status, body),
      (error: unknown) => {
        const { status, body } = describeError(error);
        writeJson(response, status, JSON.stringify(body));
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const listening = server.address();
  if (listening === null || typeof listening === "string") {
    throw new Error("The Neon HTTP endpoint is not listening on a TCP port");
  }

  const counts = (database?: string): NeonHttpCounts => {
    if (database !== undefined) return { ...(countsByDatabase.get(database) ?? emptyCounts()) };
    const total = emptyCounts();
    for (const counts of countsByDatabase.values()) {
      total.roundTrips += counts.roundTrips;
      total.statements += counts.statements;
      total.transactions += counts.transactions;
      total.errors += counts.errors;
    }
    return total;
  };

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${listening.port}${sqlPath}`,
    port: listening.port,
    counts,
    resetCounts() {
      countsByDatabase.clear();
    },
    get roundTripCount() {
      return counts().roundTrips;
    },
    get statementCount() {
      return counts().statements;
    },
    stop() {
      stopping ??= (async () => {
        stopped = true;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...pools.values()].map((pool) => pool.end().catch(() => {})));
        pools.clear();
      })();
      return stopping;
    },
  };
}

function emptyCounts(): NeonHttpCounts {
  return { roundTrips: 0, statements: 0, transactions: 0, errors: 0 };
}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    // A Postgres refusal (no such database, bad password) carries its SQLSTATE, a user error for
    // Neon (400); a server that does not answer is the endpoint's failure (500).
    if (error instanceof pg.DatabaseError) throw new EndpointError(400, error.message, error);
    throw new EndpointError(500, `could not connect to Postgres: ${errorMessage(error)}`);
  }
}

async function runQuery(client: pg.PoolClient, data: QueryData, headers: HttpHeaders) {
  const arrayMode = data.arrayMode ?? headers.arrayMode;
  const config = {
    text: data.query,
    values: data.params,
    rowMode: "array",
    types: rawTextTypes,
    // Neon runs every query through the extended protocol (unnamed statement), even without
    // parameters: several statements in one query are a syntax error (42601), as there.
    queryMode: "extended",
  } as pg.QueryArrayConfig;
  let result: pg.QueryArrayResult<(string | null)[]>;
  try {
    result = await client.query(config);
  } catch (error) {
    if (error instanceof pg.DatabaseError) throw new EndpointError(400, error.message, error);
    throw error;
  }
  const rows = result.rows.map((row) =>
    encodeRow(row, result.fields, { rawTextOutput: headers.rawTextOutput, arrayMode }),
  );
  return {
    fields: result.fields.map((field) => ({
      name: field.name,
      dataTypeID: field.dataTypeID,
      tableID: field.tableID,
      columnID: field.columnID,
      dataTypeSize: field.dataTypeSize,
      dataTypeModifier: field.dataTypeModifier,
      format: "text",
    })),
    command: result.command ?? "",
    rowCount: result.rowCount ?? null,
    rows,
    rowAsArray: arrayMode,
  };
}

/** Runs the statements in one transaction, as Neon does for `{ queries }`: all or nothing. */
async function runBatch(client: pg.PoolClient, queries: QueryData[], headers: HttpHeaders) {
  await runControl(client, beginStatement(headers));
  const results = [];
  try {
    for (const query of queries) results.push(await runQuery(client, query, headers));
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      // The connection is then not idle and release() destroys it.
    });
    throw error;
  }
  await runControl(client, "COMMIT");
  return results;
}

async function runControl(client: pg.PoolClient, statement: string): Promise<void> {
  try {
    await client.query(statement);
  } catch (error) {
    if (error instanceof pg.DatabaseError) throw new EndpointError(400, error.message, error);
    throw error;
  }
}

/** `START TRANSACTION` as tokio-postgres's TransactionBuilder writes it for Neon's batch headers. */
function beginStatement(headers: HttpHeaders): string {
  const modes: string[] = [];
  if (headers.isolationLevel !== undefined) modes.push(`ISOLATION LEVEL ${isolationLevels[headers.isolationLevel]}`);
  if (headers.readOnly) modes.push("READ ONLY");
  if (headers.deferrable) modes.push("DEFERRABLE");
  return modes.length === 0 ? "START TRANSACTION" : `START TRANSACTION ${modes.join(", ")}`;
}

function readHeaders(request: IncomingMessage): HttpHeaders {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const isolationLevel = header(isolationLevelHeader);
  if (isolationLevel !== undefined && !(isolationLevel in isolationLevels)) {
    throw new EndpointError(400, "invalid isolation level");
  }
  // As Neon: anything but exactly "true" is false.
  return {
    rawTextOutput: header(rawTextOutputHeader) === "true",
    arrayMode: header(arrayModeHeader) === "true",
    isolationLevel,
    readOnly: header(readOnlyHeader) === "true",
    deferrable: header(deferrableHeader) === "true",
  };
}

function readConnectionTarget(request: IncomingMessage): ConnectionTarget {
  const value = request.headers[connectionStringHeader];
  if (typeof value !== "string" || value === "") {
    throw new EndpointError(400, "invalid header: neon-connection-string");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EndpointError(400, "invalid connection string: not a URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new EndpointError(400, "incorrect scheme");
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database === "" || database.includes("/")) throw new EndpointError(400, "missing database name");
  const user = decodeURIComponent(url.username);
  if (user === "") throw new EndpointError(400, "missing username");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw new EndpointError(400, "missing hostname");
  if (!isLoopbackHost(host)) {
    throw new EndpointError(400, `invalid hostname: ${host} (this endpoint only connects to loopback addresses)`);
  }
  const port = url.port === "" ? 5432 : Number(url.port);
  const password = url.password === "" ? undefined : decodeURIComponent(url.password);
  // Search parameters (the driver adds application_name; sslmode, options) are not used: the
  // connection is plain TCP to this machine, as Neon's proxy reaches its compute.
  return {
    key: JSON.stringify([host, port, user, password ?? null, database]),
    database,
    config: { host, port, user, password, database, application_name: "neon-http-endpoint" },
  };
}

function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  return loopbackAddresses.check(host, "ipv4") || loopbackAddresses.check(host, "ipv6");
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new EndpointError(413, `request is too large (max is ${maxBytes} bytes)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > maxBytes) throw new EndpointError(413, `request is too large (max is ${maxBytes} bytes)`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads the body as Neon's proxy does (serde, untagged): `{ query, params?, arrayMode? }` first,
 * else `{ queries: [...] }`. Parameters may be any JSON: strings are passed as they are, null as
 * NULL, arrays as Postgres array literals, other values as their JSON text.
 */
function readPayload(body: Buffer): Payload {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new EndpointError(400, `could not parse the HTTP request body: ${errorMessage(error)}`);
  }
  if (isRecord(json) && "query" in json) return { kind: "single", query: readQueryData(json, "body") };
  if (isRecord(json) && Array.isArray(json.queries)) {
    return { kind: "batch", queries: json.queries.map((query, index) => readQueryData(query, `queries[${index}]`)) };
  }
  throw new EndpointError(
    400,
    "could not parse the HTTP request body: expected { query, params } or { queries: [{ query, params }, ...] }",
  );
}

function readQueryData(value: unknown, where: string): QueryData {
  const invalid = (what: string) => new EndpointError(400, `could not parse the HTTP request body: ${where}${what}`);
  if (!isRecord(value)) throw invalid(" is not an object");
  if (typeof value.query !== "string") throw invalid(".query is not a string");
  const params = value.params ?? [];
  if (!Array.isArray(params)) throw invalid(".params is not an array");
  const arrayMode = value.arrayMode ?? undefined;
  if (arrayMode !== undefined && typeof arrayMode !== "boolean") throw invalid(".arrayMode is not a boolean");
  return { query: value.query, params: params.map(jsonToPgText), arrayMode };
}

/** Neon's json_to_pg_text (proxy/src/serverless/json.rs). */
function jsonToPgText(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return jsonArrayToPgArray(value);
  return JSON.stringify(value);
}

function jsonArrayToPgArray(value: unknown): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return `{${value.map((item) => jsonArrayToPgArray(item) ?? "NULL").join(",")}}`;
  if (typeof value === "object") return JSON.stringify(JSON.stringify(value));
  return JSON.stringify(value);
}

function encodeRow(
  row: (string | null)[],
  fields: pg.FieldDef[],
  mode: { rawTextOutput: boolean; arrayMode: boolean },
): unknown[] | Record<string, unknown> {
  const values = mode.rawTextOutput
    ? row
    : row.map((value, index) => (value === null ? null : pgTextToJson(value, fields[index]?.dataTypeID ?? 0)));
  if (mode.arrayMode) return values;
  // Later columns win on a repeated name, as in JSON.parse of Neon's object with repeated keys.
  const object: Record<string, unknown> = {};
  fields.forEach((field, index) => {
    object[field.name] = values[index];
  });
  return object;
}

// Without Neon-Raw-Text-Output, Neon converts these types to JSON (pg_text_to_json); the rest stay text.
const boolOid = 16;
const integerOids = new Set([21, 23]);
const floatOids = new Set([700, 701]);
const jsonOids = new Set([114, 3802]);
/** Built-in array types (comma-delimited) and their element types. */
const arrayElementOids = new Map<number, number>([
  [1000, 16],
  [1001, 17],
  [1002, 18],
  [1003, 19],
  [1005, 21],
  [1007, 23],
  [1009, 25],
  [1014, 1042],
  [1015, 1043],
  [1016, 20],
  [1021, 700],
  [1022, 701],
  [1028, 26],
  [1115, 1114],
  [1182, 1082],
  [1183, 1083],
  [1185, 1184],
  [1187, 1186],
  [1231, 1700],
  [1270, 1266],
  [2951, 2950],
  [199, 114],
  [3807, 3802],
]);

function pgTextToJson(value: string, oid: number): unknown {
  const elementOid = arrayElementOids.get(oid);
  if (elementOid !== undefined) return parsePgArray(value, elementOid);
  if (oid === boolOid) return value === "t";
  if (integerOids.has(oid)) return Number.parseInt(value, 10);
  if (floatOids.has(oid)) {
    const number = Number(value);
    return Number.isFinite(number) ? number : value;
  }
  if (jsonOids.has(oid)) return JSON.parse(value);
  return value;
}

/** Parses a Postgres array literal (`{1,NULL,"a \"b\""}`, nested, with optional bounds). */
function parsePgArray(literal: string, elementOid: number): unknown[] {
  let text = literal;
  if (text.startsWith("[")) text = text.slice(text.indexOf("=") + 1);
  let position = 0;
  const parseArray = (): unknown[] => {
    const items: unknown[] = [];
    position += 1; // "{"
    if (text[position] === "}") {
      position += 1;
      return items;
    }
    for (;;) {
      if (text[position] === "{") {
        items.push(parseArray());
      } else if (text[position] === '"') {
        let item = "";
        position += 1;
        while (position < text.length && text[position] !== '"') {
          if (text[position] === "\\") position += 1;
          item += text[position];
          position += 1;
        }
        position += 1;
        items.push(pgTextToJson(item, elementOid));
      } else {
        const stops = [",", "}"].map((stop) => text.indexOf(stop, position)).filter((index) => index >= 0);
        const end = stops.length === 0 ? text.length : Math.min(...stops);
        const item = text.slice(position, end).trim();
        position = end;
        items.push(item === "NULL" ? null : pgTextToJson(item, elementOid));
      }
      if (text[position] === ",") {
        position += 1;
        continue;
      }
      position += 1; // "}"
      return items;
    }
  };
  return parseArray();
}

function describeError(error: unknown): { status: number; body: ErrorBody } {
  const status = error instanceof EndpointError ? error.status : 500;
  const database = error instanceof EndpointError ? error.databaseError : undefined;
  // Neon's body: every field present, the Postgres ones null (code and severity "") when the
  // error is not from Postgres. Its position is either the query's or an internal query's.
  return {
    status,
    body: {
      message: errorMessage(error),
      code: database?.code ?? "",
      detail: database?.detail ?? null,
      hint: database?.hint ?? null,
      position: database?.position ?? null,
      internalPosition: database?.internalPosition ?? null,
      internalQuery: database?.internalQuery ?? null,
      severity: database?.severity ?? "",
      where: database?.where ?? null,
      table: database?.table ?? null,
      column: database?.column ?? null,
      schema: database?.schema ?? null,
      dataType: database?.dataType ?? null,
      constraint: database?.constraint ?? null,
      file: database?.file ?? null,
      line: database?.line ?? null,
      routine: database?.routine ?? null,
    },
  };
}

function writeJson(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...(status === 405 ? { allow: "POST" } : {}),
    // A refused body may still be arriving: do not read the rest of it on this connection.
    ...(status === 413 ? { connection: "close" } : {}),
  });
  response.end(body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { isRunAsScript } from "./isRunAsScript";
import { MigrationError } from "./migrate/MigrationError";
import { readDevVars } from "./migrate/parseDevVars";
import {
  assertDirectoryExists,
  type MigrationFile,
  readFunctionFiles,
  readMigrationFiles,
  type SqlFile,
} from "./migrate/readSqlFiles";
import { redactDatabaseUrl } from "./migrate/redactDatabaseUrl";

export { MigrationError } from "./migrate/MigrationError";

export interface MigrateOptions {
  /** Postgres connection string (local, or Neon with `sslmode=require`). */
  databaseUrl: string;
  /** Folder holding `migrations/` and `functions/`; defaults to the repository's `sql/`. */
  directory?: string;
  /** Receives one line per applied file, after the transaction has committed. */
  log?: (line: string) => void;
}

export interface MigrateResult {
  /** Migration files applied by this run (empty when the schema was already current). */
  applied: string[];
  /** Function files (re-)applied by this run: all of them, every time. */
  functions: string[];
}

interface AppliedMigration {
  filename: string;
  checksum: string;
}

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Texts a migration had before the rule "never edit an applied migration" became a check
 * (sql/migrations.sha256). 0014 was edited twice after 0015 existed; it is back to its text of
 * then, and 0016 carries the edits, idempotently. A database that ran an edited text is current.
 */
const supersededChecksums: Readonly<Record<string, readonly string[]>> = {
  "0014_raffle_gates.sql": [
    "7bdb7ad0f9f1f726f6765594733f2715242108e72109c66042bb00045349e7be",
    "b238f2837b7d82b4a2d1a00c9a4199b02ba5bd7f8a294974a10e427bd04e424c",
    "59e99772879f81cecaff0fb485fccd63bb868d5e10af1438e44a6243b79958da",
  ],
};
const defaultSqlDirectory = join(repositoryRoot, "sql");

/** Applies pending migrations and all functions in one transaction, or nothing at all. */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const directory = options.directory ?? defaultSqlDirectory;
  await assertDirectoryExists(directory);
  const migrations = await readMigrationFiles(join(directory, "migrations"));
  const functions = await readFunctionFiles(join(directory, "functions"));

  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    await client.query("begin");
    // Serializes concurrent runs (two deploys, parallel test set-up): the second waits, then
    // finds nothing pending. Released by commit or rollback.
    await client.query("select pg_advisory_xact_lock(hashtextextended('liveloot:migrate', 0))");
    await client.query(`
      create table if not exists schema_migrations (
        filename text primary key,
        checksum text not null check (checksum ~ '^[0-9a-f]{64}$'),
        applied_at timestamptz not null default now()
      )`);
    const appliedRows = await client.query<AppliedMigration>(
      "select filename, checksum from schema_migrations order by filename",
    );
    const pending = selectPendingMigrations(migrations, appliedRows.rows);

    for (const migration of pending) {
      await runSqlFile(client, migration);
      await client.query("insert into schema_migrations (filename, checksum) values ($1, $2)", [
        migration.filename,
        migration.checksum,
      ]);
    }
    for (const functionFile of functions) {
      await runSqlFile(client, functionFile);
    }
    await client.query("commit");

    const result: MigrateResult = {
      applied: pending.map((migration) => migration.filename),
      functions: functions.map((functionFile) => functionFile.filename),
    };
    for (const filename of result.applied) options.log?.(`applied migration ${filename}`);
    for (const filename of result.functions) options.log?.(`applied function ${filename}`);
    return result;
  } catch (error) {
    // The connection may already be gone; the original error is the one worth reporting.
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Decides what to apply, refusing anything that would make the database and `sql/` disagree:
 * an applied file that was edited or deleted, or a new file numbered below one already applied.
 */
function selectPendingMigrations(files: MigrationFile[], applied: AppliedMigration[]): MigrationFile[] {
  const filesByName = new Map(files.map((file) => [file.filename, file]));
  for (const row of applied) {
    const file = filesByName.get(row.filename);
    if (!file) {
      throw new MigrationError(
        `migration ${row.filename} was applied to this database but is missing from sql/migrations; restore it`,
        { filename: row.filename },
      );
    }
    if (file.checksum !== row.checksum && !supersededChecksums[row.filename]?.includes(row.checksum)) {
      throw new MigrationError(
        `migration ${row.filename} was edited after it was applied (checksum ${row.checksum.slice(0, 12)}… is now ${file.checksum.slice(0, 12)}…); restore it and put the change in a new migration`,
        { filename: row.filename },
      );
    }
  }
  const appliedNames = new Set(applied.map((row) => row.filename));
  const latestAppliedVersion = Math.max(
    -1,
    ...files.filter((file) => appliedNames.has(file.filename)).map((file) => file.version),
  );
  const pending = files.filter((file) => !appliedNames.has(file.filename));
  const outOfOrder = pending.find((file) => file.version < latestAppliedVersion);
  if (outOfOrder) {
    throw new MigrationError(
      `migration ${outOfOrder.filename} is pending but a later-numbered migration is already applied; renumber it after the latest`,
      { filename: outOfOrder.filename },
    );
  }
  return pending;
}

async function runSqlFile(client: pg.Client, file: SqlFile): Promise<void> {
  try {
    // No parameters, so pg uses the simple query protocol, which accepts many statements.
    await client.query(file.text);
  } catch (error) {
    throw new MigrationError(`${file.filename}: ${describeDatabaseError(error, file.text)}`, {
      filename: file.filename,
      cause: error,
    });
  }
}

function describeDatabaseError(error: unknown, text: string): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof pg.DatabaseError && error.position) {
    const line = text.slice(0, Number(error.position)).split("\n").length;
    return `line ${line}: ${error.message}`;
  }
  return error.message;
}

async function readDatabaseUrl(): Promise<string | undefined> {
  const fromEnvironment = process.env.DATABASE_URL;
  if (fromEnvironment) return fromEnvironment;
  const devVars = await readDevVars(join(repositoryRoot, ".dev.vars"));
  return devVars.DATABASE_URL || undefined;
}

async function runFromCommandLine(): Promise<void> {
  const databaseUrl = await readDatabaseUrl();
  if (!databaseUrl) {
    console.error("DATABASE_URL is not set: export it or put it in .dev.vars");
    process.exitCode = 1;
    return;
  }
  console.log(`migrating ${redactDatabaseUrl(databaseUrl)}`);
  try {
    const result = await migrate({ databaseUrl, log: (line) => console.log(line) });
    if (result.applied.length === 0) console.log("schema is up to date");
  } catch (error) {
    // Messages name files and Postgres errors, never the connection string.
    console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (isRunAsScript(import.meta.url)) {
  await runFromCommandLine();
}

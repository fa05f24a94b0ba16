import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { MigrationError, migrate } from "../../../scripts/migrate";
import { createTestDatabase, queryDatabase, type TestDatabase } from "../../support/testDatabase";

const repositoryRoot = join(import.meta.dirname, "..", "..", "..");
const sqlDirectory = join(repositoryRoot, "sql");

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function useDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  return database;
}

/** A scratch copy of a SQL folder (or an empty one), so tests can edit files freely. */
async function useSqlDirectory(copyFrom?: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "liveloot-sql-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  if (copyFrom) await cp(copyFrom, directory, { recursive: true });
  await mkdir(join(directory, "migrations"), { recursive: true });
  await mkdir(join(directory, "functions"), { recursive: true });
  return directory;
}

async function listAppliedMigrations(url: string): Promise<string[]> {
  const rows = await queryDatabase<{ filename: string }>(
    url,
    "select filename from schema_migrations order by filename",
  );
  return rows.map((row) => row.filename);
}

async function tableExists(url: string, table: string): Promise<boolean> {
  const rows = await queryDatabase<{ found: boolean }>(url, "select to_regclass($1) is not null as found", [table]);
  return rows[0]?.found === true;
}

async function listSqlFiles(folder: string): Promise<string[]> {
  return (await readdir(join(sqlDirectory, folder))).filter((name) => name.endsWith(".sql")).sort();
}

describe("migrate", () => {
  it("applies every migration and function to a fresh database, and logs one line per file", async () => {
    const database = await useDatabase();
    const lines: string[] = [];

    const result = await migrate({ databaseUrl: database.url, log: (line) => lines.push(line) });

    const migrationFiles = await listSqlFiles("migrations");
    const functionFiles = await listSqlFiles("functions");
    expect(migrationFiles[0]).toBe("0001_init.sql");
    expect(result.applied).toEqual(migrationFiles);
    expect(result.functions).toEqual(functionFiles);
    expect(await listAppliedMigrations(database.url)).toEqual(migrationFiles);
    expect(lines).toEqual([
      ...migrationFiles.map((file) => `applied migration ${file}`),
      ...functionFiles.map((file) => `applied function ${file}`),
    ]);
    for (const table of ["guilds", "twitch_links", "oauth_states", "loot_items", "raffles", "draws"]) {
      expect(await tableExists(database.url, table)).toBe(true);
    }
  });

  it("applies nothing on a second run but re-applies the functions", async () => {
    const database = await useDatabase();
    await migrate({ databaseUrl: database.url });
    const before = await queryDatabase<{ filename: string; applied_at: Date }>(
      database.url,
      "select filename, applied_at from schema_migrations order by filename",
    );

    const second = await migrate({ databaseUrl: database.url });

    expect(second.applied).toEqual([]);
    expect(second.functions).toEqual(await listSqlFiles("functions"));
    const after = await queryDatabase<{ filename: string; applied_at: Date }>(
      database.url,
      "select filename, applied_at from schema_migrations order by filename",
    );
    expect(after).toEqual(before);
  });

  it("refuses an applied migration that was edited, naming it, and applies nothing", async () => {
    const database = await useDatabase();
    const directory = await useSqlDirectory(sqlDirectory);
    await migrate({ databaseUrl: database.url, directory });
    const initPath = join(directory, "migrations", "0001_init.sql");
    await writeFile(initPath, `${await readFile(initPath, "utf8")}\n-- an innocent-looking edit\n`);
    await writeFile(join(directory, "migrations", "0999_later.sql"), "create table should_not_exist (id integer);");

    const attempt = migrate({ databaseUrl: database.url, directory });

    await expect(attempt).rejects.toThrow(MigrationError);
    await expect(attempt).rejects.toThrow(/0001_init\.sql was edited after it was applied/);
    expect(await tableExists(database.url, "should_not_exist")).toBe(false);
    expect(await listAppliedMigrations(database.url)).toEqual(await listSqlFiles("migrations"));
  });

  it("treats CRLF line endings as the same file", async () => {
    const database = await useDatabase();
    const directory = await useSqlDirectory();
    const migrationPath = join(directory, "migrations", "0001_first.sql");
    await writeFile(migrationPath, "create table first_table (id integer);\n-- note\n");
    await migrate({ databaseUrl: database.url, directory });
    await writeFile(migrationPath, "create table first_table (id integer);\r\n-- note\r\n");

    const second = await migrate({ databaseUrl: database.url, directory });

    expect(second.applied).toEqual([]);
  });

  it("refuses when an applied migration is missing from the folder", async () => {
    const database = await useDatabase();
    const directory = await useSqlDirectory();
    await writeFile(join(directory, "migrations", "0001_first.sql"), "create table first_table (id integer);");
    await writeFile(join(directory, "migrations", "0002_second.sql"), "create table second_table (id integer);");
    await migrate({ databaseUrl: database.url, directory });
    await rm(join(directory, "migrations", "0002_second.sql"));

    await expect(migrate({ databaseUrl: database.url, directory })).rejects.toThrow(
      /0002_second\.sql was applied to this database but is missing/,
    );
  });

  it("refuses a new migration numbered below one already applied", async () => {
    const database = await useDatabase();
    const directory = await useSqlDirectory();
    await writeFile(join(directory, "migrations", "0001_first.sql"), "create table first_table (id integer);");
    await writeFile(join(directory, "migrations", "0003_third.sql"), "create table third_table (id integer);");
    await migrate({ databaseUrl: database.url, directory });
    await writeFile(join(directory, "migrations", "0002_second.sql"), "create table second_table (id integer);");

    await expect(migrate({ databaseUrl: database.url, directory })).rejects.toThrow(
      /0002_second\.sql is pending but a later-numbered migration is already applied/,
    );
    expect(await tableExists(database.url, "second_table")).toBe(false);
  });

  it("refuses misnamed files and duplicate versions before touching the database", async () => {
    const directory = await useSqlDirectory();
    await writeFile(join(directory, "migrations", "2-oops.sql"), "select 1;");
    await expect(migrate({ databaseUrl: "postgres://nobody@127.0.0.1:1/none", directory })).rejects.toThrow(
      /unexpected migration file name 2-oops\.sql/,
    );

    await rm(join(directory, "migrations", "2-oops.sql"));
    await writeFile(join(directory, "migrations", "0002_one.sql"), "select 1;");
    await writeFile(join(directory, "migrations", "0002_two.sql"), "select 1;");
    await expect(migrate({ databaseUrl: "postgres://nobody@127.0.0.1:1/none", directory })).rejects.toThrow(
      /share version 2/,
    );
  });

  it("lets two concurrent runs both succeed, applying each migration once", async () => {
    const database = await useDatabase();

    const results = await Promise.all([migrate({ databaseUrl: database.url }), migrate({ databaseUrl: database.url })]);

    const migrationFiles = await listSqlFiles("migrations");
    const appliedCounts = results.map((result) => result.applied.length).sort();
    expect(appliedCounts).toEqual([0, migrationFiles.length]);
    expect(await listAppliedMigrations(database.url)).toEqual(migrationFiles);
    const functionFiles = await listSqlFiles("functions");
    for (const result of results) expect(result.functions).toEqual(functionFiles);
  });

  it("re-applies function files on every run", async () => {
    const database = await useDatabase();
    const directory = await useSqlDirectory();
    await writeFile(
      join(directory, "functions", "answer.sql"),
      "create or replace function answer() returns integer language sql as $$ select 42 $$;",
    );
    await migrate({ databaseUrl: database.url, directory });
    await queryDatabase(
      database.url,
      "create or replace function answer() returns integer language sql as $$ select 0 $$",
    );

    const second = await migrate({ databaseUrl: database.url, directory });

    expect(second.functions).toEqual(["answer.sql"]);
    const rows = await queryDatabase<{ answer: number }>(database.url, "select answer()");
    expect(rows[0]?.answer).toBe(42);
  });

  it("rolls back everything when a migration fails, naming the file and line", async () => {
    const database = await useDatabase();
    const directory = await useSqlDirectory();
    await writeFile(join(directory, "migrations", "0001_good.sql"), "create table good_table (id integer);");
    await writeFile(
      join(directory, "migrations", "0002_broken.sql"),
      "create table half_done (id integer);\n\ncreate tabel oops (id integer);\n",
    );

    const attempt = migrate({ databaseUrl: database.url, directory });

    await expect(attempt).rejects.toThrow(/^0002_broken\.sql: line 3: syntax error at or near "tabel"/);
    await expect(attempt).rejects.toMatchObject({ filename: "0002_broken.sql" });
    expect(await tableExists(database.url, "good_table")).toBe(false);
    expect(await tableExists(database.url, "half_done")).toBe(false);
    expect(await tableExists(database.url, "schema_migrations")).toBe(false);
  });

  it("rolls back the migrations when a function file fails", async () => {
    const database = await useDatabase();
    const directory = await useSqlDirectory();
    await writeFile(join(directory, "migrations", "0001_good.sql"), "create table good_table (id integer);");
    await writeFile(
      join(directory, "functions", "broken.sql"),
      "create or replace function broken() returns integer language sql as $$ select missing_column $$;",
    );

    await expect(migrate({ databaseUrl: database.url, directory })).rejects.toThrow(/^broken\.sql: /);
    expect(await tableExists(database.url, "good_table")).toBe(false);
  });

  it("runs as a script without printing the password", async () => {
    const database = await useDatabase();
    const url = new URL(database.url);
    // Local Postgres trusts connections, so any password works; a server that checks keeps its own.
    if (url.password === "") url.password = "not-a-real-secret-1234";
    const password = decodeURIComponent(url.password);

    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", join(repositoryRoot, "scripts", "migrate.ts")],
      { cwd: repositoryRoot, env: { ...process.env, DATABASE_URL: url.toString() } },
    );

    expect(stdout).toContain("applied migration 0001_init.sql");
    expect(stdout).toContain("***");
    expect(`${stdout}${stderr}`).not.toContain(password);
  }, 20_000);
});

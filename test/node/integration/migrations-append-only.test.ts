import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { migrate } from "../../../scripts/migrate";
import { computeChecksum, readMigrationFiles } from "../../../scripts/migrate/readSqlFiles";
import { createTestDatabase, queryDatabase } from "../../support/testDatabase";

const run = promisify(execFile);
const repositoryRoot = join(import.meta.dirname, "..", "..", "..");
const sqlDirectory = join(repositoryRoot, "sql");
const checksumList = join(sqlDirectory, "migrations.sha256");

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `sha256sum` lines: "<hex>  <filename>". */
function parseChecksumList(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const match = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
    if (!match) throw new Error(`sql/migrations.sha256: malformed line ${JSON.stringify(line)}`);
    entries.set(match[2] as string, match[1] as string);
  }
  return entries;
}

async function git(...args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd: repositoryRoot, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

describe("migrations are append-only", () => {
  it("every migration's sha256 is the one sql/migrations.sha256 lists, and the list names every file", async () => {
    const listed = parseChecksumList(await readFile(checksumList, "utf8"));
    const files = await readMigrationFiles(join(sqlDirectory, "migrations"));
    const problems: string[] = [];
    for (const file of files) {
      const expected = listed.get(file.filename);
      if (expected === undefined)
        problems.push(`${file.filename} has no line: add "${file.checksum}  ${file.filename}"`);
      else if (expected !== file.checksum)
        problems.push(
          `${file.filename} changed after it was listed (${expected.slice(0, 12)}… is now ${file.checksum.slice(0, 12)}…): restore it and put the change in a new migration`,
        );
    }
    for (const filename of listed.keys())
      if (!files.some((file) => file.filename === filename))
        problems.push(`${filename} is listed but missing: restore it`);
    expect(problems).toEqual([]);
  });

  it("no committed line of sql/migrations.sha256 was ever changed or removed", async () => {
    // Every commit that touched the list, oldest first: a line once committed stays, byte for byte,
    // so editing a migration and its line together still shows up here (and in review).
    const commits = (await git("log", "--first-parent", "--reverse", "--format=%H", "--", "sql/migrations.sha256"))
      .split("\n")
      .filter(Boolean);
    const committed = new Map<string, string>();
    const problems: string[] = [];
    for (const commit of commits) {
      const text = await git("show", `${commit}:sql/migrations.sha256`).catch(() => "");
      const lines = parseChecksumList(text);
      for (const [filename, checksum] of committed) {
        if (lines.get(filename) !== checksum)
          problems.push(`${commit.slice(0, 10)} changed or removed the line of ${filename}`);
      }
      for (const [filename, checksum] of lines) if (!committed.has(filename)) committed.set(filename, checksum);
    }
    const working = parseChecksumList(await readFile(checksumList, "utf8"));
    for (const [filename, checksum] of committed)
      if (working.get(filename) !== checksum)
        problems.push(`the working tree changed or removed the line of ${filename}`);
    expect(problems).toEqual([]);
  });

  it("a database that ran an edited text of 0014 migrates on: 0016 applies its edits idempotently", async () => {
    // The text of 0014 that landed with the gates (888cfc8), before it was restored.
    const editedText = await git("show", "888cfc8:sql/migrations/0014_raffle_gates.sql");
    expect(computeChecksum(editedText)).toBe("59e99772879f81cecaff0fb485fccd63bb868d5e10af1438e44a6243b79958da");
    const directory = await mkdtemp(join(tmpdir(), "liveloot-sql-"));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    await cp(sqlDirectory, directory, { recursive: true });
    const migrations = join(directory, "migrations");
    await writeFile(join(migrations, "0014_raffle_gates.sql"), editedText);
    const later = (await readMigrationFiles(migrations)).filter((file) => file.version > 15);
    for (const file of later) await rm(join(migrations, file.filename));
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    await migrate({ databaseUrl: database.url, directory, log: () => {} });

    const result = await migrate({ databaseUrl: database.url, log: () => {} });

    expect(result.applied).toEqual(later.map((file) => file.filename));
    const columns = await queryDatabase<{ column_name: string }>(
      database.url,
      "select column_name from information_schema.columns where table_name = 'raffles' and (column_name like 'last_empty_gate%' or column_name = 'gate_failure_reason') order by 1",
    );
    expect(columns.map((row) => row.column_name)).toEqual(["gate_failure_reason", "last_empty_gate"]);
  });

  it("a database that ran 0014 as restored gets the channel:bot scope and loses last_empty_gated", async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());

    await migrate({ databaseUrl: database.url, log: () => {} });

    const constraint = await queryDatabase<{ definition: string }>(
      database.url,
      "select pg_get_constraintdef(oid) as definition from pg_constraint where conname = 'oauth_states_extra_scopes_check'",
    );
    expect(constraint[0]?.definition).toContain("channel:bot");
    const gated = await queryDatabase<{ found: boolean }>(
      database.url,
      "select exists (select from information_schema.columns where table_name = 'raffles' and column_name = 'last_empty_gated') as found",
    );
    expect(gated[0]?.found).toBe(false);
  });
});

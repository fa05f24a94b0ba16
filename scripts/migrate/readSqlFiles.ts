import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { MigrationError } from "./MigrationError";

/** One SQL file as the migrator sees it. */
export interface SqlFile {
  filename: string;
  /** The text sent to Postgres, as on disk. */
  text: string;
  /** sha256 (hex) of the text with CRLF turned into LF, so a Windows checkout is not an "edit". */
  checksum: string;
}

export interface MigrationFile extends SqlFile {
  version: number;
}

const migrationFilename = /^(\d{4})_[a-z0-9][a-z0-9_]*\.sql$/;
const functionFilename = /^[a-z0-9][a-z0-9_]*\.sql$/;

/**
 * Reads `NNNN_name.sql` files in version order. Any other `.sql` file, or two files sharing a
 * version, is refused: a misnamed migration that was silently skipped would be worse.
 */
export async function readMigrationFiles(directory: string): Promise<MigrationFile[]> {
  const files = await readSqlFilesIn(directory, migrationFilename, "migration");
  const migrations = files
    .map((file) => ({ ...file, version: Number(migrationFilename.exec(file.filename)?.[1]) }))
    .sort((left, right) => left.version - right.version);
  for (let index = 1; index < migrations.length; index += 1) {
    const previous = migrations[index - 1];
    const current = migrations[index];
    if (previous && current && previous.version === current.version) {
      throw new MigrationError(
        `migrations ${previous.filename} and ${current.filename} share version ${current.version}`,
        { filename: current.filename },
      );
    }
  }
  return migrations;
}

/** Reads the repeatable `create or replace` files, in name order. */
export async function readFunctionFiles(directory: string): Promise<SqlFile[]> {
  const files = await readSqlFilesIn(directory, functionFilename, "function");
  return files.sort((left, right) => left.filename.localeCompare(right.filename, "en"));
}

export function computeChecksum(text: string): string {
  return createHash("sha256").update(text.replace(/\r\n/g, "\n"), "utf8").digest("hex");
}

export async function assertDirectoryExists(directory: string): Promise<void> {
  const found = await stat(directory).catch(() => undefined);
  if (!found?.isDirectory()) {
    throw new MigrationError(`SQL directory not found: ${directory}`);
  }
}

async function readSqlFilesIn(directory: string, pattern: RegExp, kind: string): Promise<SqlFile[]> {
  const entries = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
    // A missing subfolder simply has nothing to apply (e.g. no functions yet).
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const files: SqlFile[] = [];
  for (const filename of entries) {
    if (!filename.endsWith(".sql")) continue;
    if (!pattern.test(filename)) {
      throw new MigrationError(`unexpected ${kind} file name ${filename} in ${directory}`, { filename });
    }
    const text = await readFile(join(directory, filename), "utf8");
    files.push({ filename, text, checksum: computeChecksum(text) });
  }
  return files;
}

import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { formatDotenv, writeDevEnvFile } from "../../../scripts/dev/writeDevEnvFile";

describe("the generated wrangler env file", () => {
  test("is dotenv with quoted values, readable by its owner only", async () => {
    const directory = await mkdtemp(join(tmpdir(), "liveloot-dev-env-"));
    try {
      const path = join(directory, "nested", "worker.env");
      await writeDevEnvFile(path, {
        PUBLIC_BASE_URL: "http://127.0.0.1:8787",
        DATABASE_URL: "postgres://a@127.0.0.1:5/b",
      });
      const text = await readFile(path, "utf8");
      expect(text).toContain('PUBLIC_BASE_URL="http://127.0.0.1:8787"\n');
      expect(text).toContain('DATABASE_URL="postgres://a@127.0.0.1:5/b"\n');
      expect(text.split("\n").filter((line) => line !== "" && !line.startsWith("#"))).toHaveLength(2);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  test("refuses a value dotenv could not carry", () => {
    expect(() => formatDotenv({ BAD: 'a"b' })).toThrow(/BAD/);
    expect(() => formatDotenv({ BAD: "a\nb" })).toThrow(/BAD/);
  });
});

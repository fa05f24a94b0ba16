import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  assertDatabaseOutsideThisMachine,
  DeployError,
  deploy,
  deployEnvironments,
  readEnvironmentSettings,
} from "../../../scripts/deploy";
import { createTestDatabase, queryDatabase, type TestDatabase } from "../../support/testDatabase";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..", "..");
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function useDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  return database;
}

async function useDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "liveloot-deploy-"));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

async function listAppliedMigrations(url: string): Promise<string[]> {
  const found = await queryDatabase<{ found: boolean }>(
    url,
    "select to_regclass('schema_migrations') is not null as found",
  );
  if (!found[0]?.found) return [];
  const rows = await queryDatabase<{ filename: string }>(url, "select filename from schema_migrations");
  return rows.map((row) => row.filename);
}

interface ResolvedConfig {
  name: string;
  vars: Record<string, string>;
  queues: {
    producers?: { queue: string; binding: string }[];
    consumers?: { queue: string; max_batch_size?: number; max_retries?: number }[];
  };
  triggers: { crons?: string[] };
  assets?: { directory?: string; binding?: string };
  observability?: { enabled?: boolean };
}

/**
 * wrangler's own config reader (`unstable_readConfig`) for each environment ("" = top level), in a
 * child process so that its warnings (printed, not returned) are captured with it.
 */
async function readWranglerConfigs(
  configPath: string,
  environments: string[],
): Promise<{ configs: Record<string, ResolvedConfig>; output: string }> {
  const script = `
    import { unstable_readConfig } from "wrangler";
    const [configPath, ...environments] = process.argv.slice(1);
    const configs = {};
    for (const environment of environments) {
      configs[environment] = unstable_readConfig({ config: configPath, env: environment || undefined });
    }
    console.log("CONFIGS " + JSON.stringify(configs));`;
  const { stdout, stderr } = await run(
    process.execPath,
    ["--input-type=module", "-e", script, configPath, ...environments],
    { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  const line = stdout.split("\n").find((candidate) => candidate.startsWith("CONFIGS ")) ?? "CONFIGS {}";
  return { configs: JSON.parse(line.slice("CONFIGS ".length)), output: `${stdout}${stderr}` };
}

describe("wrangler.toml environments", () => {
  let configs: Record<string, ResolvedConfig>;
  let output: string;
  beforeAll(async () => {
    ({ configs, output } = await readWranglerConfigs(join(root, "wrangler.toml"), ["", ...deployEnvironments]));
  });

  it("are exactly the environments the scripts accept", async () => {
    const script = `
      import { experimental_readRawConfig } from "wrangler";
      console.log(JSON.stringify(Object.keys(experimental_readRawConfig({ config: "wrangler.toml" }).rawConfig.env ?? {})));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: root });
    expect(JSON.parse(stdout.trim().split("\n").at(-1) ?? "[]").sort()).toEqual([...deployEnvironments].sort());
  });

  it("give each environment its own Worker, PUBLIC_BASE_URL and queue, with the top level's crons and assets", () => {
    const topLevel = configs[""] as ResolvedConfig;
    const names = new Set<string>([topLevel.name]);
    const baseUrls = new Set<string>([topLevel.vars.PUBLIC_BASE_URL ?? ""]);
    const queueNames = new Set<string>([topLevel.queues.producers?.[0]?.queue ?? ""]);
    for (const environment of deployEnvironments) {
      const config = configs[environment] as ResolvedConfig;
      expect(config.name).toBe(`liveloot-${environment}`);
      expect(config.vars.PUBLIC_BASE_URL).toMatch(/^https:\/\/[^/]+$/);
      expect(config.queues.producers).toEqual([{ queue: expect.any(String), binding: "DRAW_QUEUE" }]);
      const queue = config.queues.producers?.[0]?.queue ?? "";
      // The consumer drains the queue this Worker produces to, with the top level's batching.
      expect(config.queues.consumers).toEqual(topLevel.queues.consumers?.map((consumer) => ({ ...consumer, queue })));
      expect(config.triggers.crons).toEqual(topLevel.triggers.crons);
      expect(config.assets).toEqual(topLevel.assets);
      expect(config.observability?.enabled).toBe(true);
      names.add(config.name);
      baseUrls.add(config.vars.PUBLIC_BASE_URL ?? "");
      queueNames.add(queue);
    }
    expect(names.size).toBe(deployEnvironments.length + 1);
    expect(baseUrls.size).toBe(deployEnvironments.length + 1);
    expect(queueNames.size).toBe(deployEnvironments.length + 1);
  });

  it("repeat every top-level key that environments do not inherit (wrangler warns otherwise)", async () => {
    expect(output).not.toContain("not inherited by environments");
    // The warning this relies on, from a config that forgets [vars] in an environment.
    const directory = await useDirectory();
    await writeFile(
      join(directory, "wrangler.toml"),
      'name = "scratch"\nmain = "index.ts"\ncompatibility_date = "2026-10-20"\n[vars]\nA = "1"\n[env.staging]\n',
    );
    const forgetful = await readWranglerConfigs(join(directory, "wrangler.toml"), ["staging"]);
    expect(forgetful.output).toContain('"vars" exists at the top level, but not on "env.staging"');
  });

  it("build with `wrangler deploy --dry-run --env NAME`, as CI does, bound to their own queue", async () => {
    const directory = await useDirectory();
    const results = await Promise.all(
      deployEnvironments.map(async (environment) => {
        const { stdout, stderr } = await run(
          process.execPath,
          [wrangler, "deploy", "--dry-run", "--env", environment, "--outdir", join(directory, environment)],
          { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
        );
        return { environment, output: `${stdout}${stderr}` };
      }),
    );
    for (const { environment, output: dryRun } of results) {
      expect(dryRun).toMatch(/gzip: [0-9.]+ KiB/);
      expect(dryRun).toContain(`env.DRAW_QUEUE (liveloot-draws-${environment})`);
      expect(dryRun).toContain(`liveloot-${environment}.example`);
      expect(dryRun).not.toContain("not inherited by environments");
    }
  }, 120_000);
});

describe("deploy", () => {
  it("builds the assets, migrates the environment's database, then runs `wrangler deploy --env staging`", async () => {
    const database = await useDatabase();
    const steps: string[] = [];
    const wranglerCalls: { args: string[]; appliedMigrations: string[] }[] = [];
    const lines: string[] = [];

    await deploy({
      environment: "staging",
      databaseUrl: database.url,
      buildAssets: () => steps.push("assets"),
      runWrangler: async (args) => {
        steps.push("wrangler");
        // What the database holds at the moment wrangler starts: the migration came first.
        wranglerCalls.push({ args, appliedMigrations: await listAppliedMigrations(database.url) });
      },
      log: (line) => lines.push(line),
    });

    expect(steps).toEqual(["assets", "wrangler"]);
    expect(wranglerCalls).toHaveLength(1);
    expect(wranglerCalls[0]?.args).toEqual(["deploy", "--env", "staging"]);
    expect(wranglerCalls[0]?.appliedMigrations.length).toBeGreaterThan(0);
    expect(lines).toContain(`migrating ${database.url}`);
    expect(lines.some((line) => line.startsWith("applied migration 0001_"))).toBe(true);

    // Without an environment: the top-level config, and an up-to-date schema is left alone.
    const topLevelCalls: string[][] = [];
    const again: string[] = [];
    await deploy({
      environment: undefined,
      databaseUrl: database.url,
      buildAssets: () => undefined,
      runWrangler: async (args) => {
        topLevelCalls.push(args);
      },
      log: (line) => again.push(line),
    });
    expect(topLevelCalls).toEqual([["deploy"]]);
    expect(again).toContain("schema is up to date");
  });

  it("never runs wrangler when the migration fails", async () => {
    const database = await useDatabase();
    const missing = new URL(database.url);
    missing.pathname = `/${database.name}_missing`;
    const wranglerCalls: string[][] = [];

    await expect(
      deploy({
        environment: "production",
        databaseUrl: missing.toString(),
        buildAssets: () => undefined,
        runWrangler: async (args) => {
          wranglerCalls.push(args);
        },
      }),
    ).rejects.toThrow(/does not exist/);
    expect(wranglerCalls).toEqual([]);
  });
});

describe("an environment's settings", () => {
  it("come from the process environment, else only from .dev.vars.<env> (never the local .dev.vars)", async () => {
    const directory = await useDirectory();
    await writeFile(join(directory, ".dev.vars"), 'DATABASE_URL="postgres://local@127.0.0.1/liveloot"\n');
    await writeFile(
      join(directory, ".dev.vars.staging"),
      'DATABASE_URL="postgres://staging:pw@ep-staging.neon.tech/liveloot?sslmode=require"\nDISCORD_APPLICATION_ID="222"\n',
    );

    const staging = await readEnvironmentSettings("staging", { directory, processEnvironment: {} });
    expect(staging.read("DATABASE_URL")).toBe("postgres://staging:pw@ep-staging.neon.tech/liveloot?sslmode=require");
    expect(staging.describeSource("DATABASE_URL")).toBe(".dev.vars.staging");
    expect(staging.read("DISCORD_APPLICATION_ID")).toBe("222");

    const production = await readEnvironmentSettings("production", { directory, processEnvironment: {} });
    expect(production.read("DATABASE_URL")).toBeUndefined();

    const topLevel = await readEnvironmentSettings(undefined, { directory, processEnvironment: {} });
    expect(topLevel.read("DATABASE_URL")).toBe("postgres://local@127.0.0.1/liveloot");

    const exported = await readEnvironmentSettings("staging", {
      directory,
      processEnvironment: { DATABASE_URL: "postgres://exported@ep-other.neon.tech/liveloot" },
    });
    expect(exported.read("DATABASE_URL")).toBe("postgres://exported@ep-other.neon.tech/liveloot");
    expect(exported.describeSource("DATABASE_URL")).toBe("the environment");
  });

  it("refuse a staging or production database on this machine, without printing the URL", () => {
    for (const url of [
      "postgres://postgres:hunter2@127.0.0.1:5432/postgres",
      "postgres://postgres:hunter2@localhost/liveloot",
      "postgres://postgres:hunter2@[::1]:5432/liveloot",
    ]) {
      expect(() => assertDatabaseOutsideThisMachine("production", url)).toThrow(DeployError);
    }
    expect(() => assertDatabaseOutsideThisMachine("staging", "not a url hunter2")).toThrow(
      /^DATABASE_URL for staging is not a postgres:\/\/ URL$/,
    );
    expect(() =>
      assertDatabaseOutsideThisMachine("staging", "postgres://u:p@ep-x.eu-central-1.aws.neon.tech/db?sslmode=require"),
    ).not.toThrow();
  });
});

describe("npm run deploy (the script)", () => {
  let scratch: TestDatabase;
  beforeAll(async () => {
    scratch = await createTestDatabase();
  });
  afterAll(() => scratch.drop());

  function runDeployScript(args: string[], environment: Record<string, string>) {
    return run(process.execPath, [tsx, "scripts/deploy.ts", ...args], {
      cwd: root,
      env: { ...process.env, ...environment },
    }).then(
      () => {
        throw new Error("deploy succeeded where it should have refused");
      },
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  }

  it("refuses an unknown environment, naming the known ones", async () => {
    const failure = await runDeployScript(["--env", "nope"], { DATABASE_URL: scratch.url });
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('unknown environment "nope": wrangler.toml defines staging and production');
    expect(await listAppliedMigrations(scratch.url)).toEqual([]);
  });

  it("refuses to migrate a local database for production, and never prints its password", async () => {
    const local = new URL(scratch.url);
    local.hostname = "127.0.0.1";
    local.password = "hunter2-not-printed";
    const failure = await runDeployScript(["--env", "production"], { DATABASE_URL: local.toString() });
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(/DATABASE_URL for production points at this machine/);
    expect(`${failure.stdout}${failure.stderr}`).not.toContain("hunter2");
    expect(await listAppliedMigrations(scratch.url)).toEqual([]);
  });
});

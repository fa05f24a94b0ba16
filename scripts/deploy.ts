/**
 * `npm run deploy [-- --env staging|production]`: builds the page assets, applies `sql/` to that
 * environment's database, then runs `wrangler deploy [--env NAME]`. Each environment of
 * wrangler.toml is its own Worker with its own secrets, queue and database (README, "Deploying").
 *
 * An environment's settings come from the process environment, else from `.dev.vars.<env>`, the
 * file wrangler itself reads for `wrangler dev --env <env>` (and then not `.dev.vars`, so a deploy
 * to staging never picks up the local database:
 * https://developers.cloudflare.com/workers/local-development/environment-variables/).
 * `scripts/register.ts` reads its Discord settings the same way.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildPageAssets } from "./buildPageAssets";
import { isRunAsScript } from "./isRunAsScript";
import { migrate } from "./migrate";
import { readDevVars } from "./migrate/parseDevVars";
import { redactDatabaseUrl } from "./migrate/redactDatabaseUrl";

const repositoryDirectory = join(import.meta.dirname, "..");

/** The `[env.*]` sections of wrangler.toml (the deploy-script test holds this list to them). */
export const deployEnvironments = ["staging", "production"] as const;
export type DeployEnvironment = (typeof deployEnvironments)[number];

/** A mistake of the operator's, reported as one line without a stack. */
export class DeployError extends Error {
  override name = "DeployError";
}

/** `--env`'s value as a known environment; `undefined` (no `--env`) is the top-level config. */
export function parseDeployEnvironment(value: string | undefined): DeployEnvironment | undefined {
  if (value === undefined) return undefined;
  const known = deployEnvironments.find((environment) => environment === value);
  if (!known) {
    throw new DeployError(
      `unknown environment "${value}": wrangler.toml defines ${deployEnvironments.join(" and ")} (or leave out --env for the top level)`,
    );
  }
  return known;
}

/** The file an environment's settings come from when the process environment lacks them. */
export function devVarsFileName(environment: DeployEnvironment | undefined): string {
  return environment ? `.dev.vars.${environment}` : ".dev.vars";
}

export interface EnvironmentSettings {
  /** A setting's value, or undefined when neither the process environment nor the file has it. */
  read(name: string): string | undefined;
  /** Where `read(name)` found it, for messages: "the environment" or the file's name. */
  describeSource(name: string): string;
}

/** Reads an environment's settings: the process environment first, then its `.dev.vars` file. */
export async function readEnvironmentSettings(
  environment: DeployEnvironment | undefined,
  options: { directory?: string; processEnvironment?: NodeJS.ProcessEnv } = {},
): Promise<EnvironmentSettings> {
  const processEnvironment = options.processEnvironment ?? process.env;
  const fileName = devVarsFileName(environment);
  const fromFile = await readDevVars(join(options.directory ?? repositoryDirectory, fileName));
  return {
    read: (name) => processEnvironment[name] || fromFile[name] || undefined,
    describeSource: (name) => (processEnvironment[name] ? "the environment" : fileName),
  };
}

/**
 * A deployed Worker cannot reach this machine, so a loopback DATABASE_URL for staging or
 * production is a local one left in the shell (`npm test` reads DATABASE_URL too): migrating it
 * would leave the environment's real database behind the code about to be deployed.
 */
export function assertDatabaseOutsideThisMachine(environment: DeployEnvironment, databaseUrl: string): void {
  let host: string;
  try {
    host = new URL(databaseUrl).hostname.replace(/^\[|\]$/g, "");
  } catch {
    throw new DeployError(`DATABASE_URL for ${environment} is not a postgres:// URL`);
  }
  if (host === "localhost" || host === "::1" || host === "0.0.0.0" || /^127\./.test(host)) {
    throw new DeployError(
      `DATABASE_URL for ${environment} points at this machine (${host}); a deployed Worker cannot reach it. Set the environment's Neon connection string (unset DATABASE_URL in the shell to use ${devVarsFileName(environment)})`,
    );
  }
}

export interface DeployOptions {
  /** The wrangler.toml environment, or undefined for the top level. */
  environment: DeployEnvironment | undefined;
  /** The environment's database, which the Worker reaches through its DATABASE_URL secret. */
  databaseUrl: string;
  /** Runs wrangler with these arguments; resolves once it exited 0. */
  runWrangler?: (args: string[]) => Promise<void>;
  /** Builds wrangler.toml's `[assets]` directory (the raffle page's Verify script). */
  buildAssets?: () => void;
  log?: (line: string) => void;
}

/**
 * Builds the assets, migrates, then deploys. Stops at the first failure, so a migration that
 * fails never ships code that needs it. Logs name the database with its password hidden.
 */
export async function deploy(options: DeployOptions): Promise<void> {
  const log = options.log ?? (() => undefined);
  (options.buildAssets ?? buildPageAssets)();
  log("built the page assets into build/assets");
  log(`migrating ${redactDatabaseUrl(options.databaseUrl)}`);
  const result = await migrate({ databaseUrl: options.databaseUrl, log });
  if (result.applied.length === 0) log("schema is up to date");
  const args = ["deploy", ...(options.environment ? ["--env", options.environment] : [])];
  log(`wrangler ${args.join(" ")}`);
  await (options.runWrangler ?? runWrangler)(args);
}

/** wrangler from node_modules, under this Node, with the terminal (it may ask to log in). */
function runWrangler(args: string[]): Promise<void> {
  const wrangler = join(repositoryDirectory, "node_modules", "wrangler", "bin", "wrangler.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wrangler, ...args], { cwd: repositoryDirectory, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new DeployError(`wrangler ${args.join(" ")} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

async function main(): Promise<void> {
  let values: { env?: string | undefined };
  try {
    values = parseArgs({ options: { env: { type: "string", short: "e" } } }).values;
  } catch (error) {
    throw new DeployError(
      `${error instanceof Error ? error.message : String(error)}\nusage: npm run deploy [-- --env ${deployEnvironments.join("|")}]`,
    );
  }
  const environment = parseDeployEnvironment(values.env);
  const settings = await readEnvironmentSettings(environment);
  const databaseUrl = settings.read("DATABASE_URL");
  const target = environment ?? "the top-level config";
  if (!databaseUrl) {
    throw new DeployError(
      `DATABASE_URL for ${target} is not set: export it or put it in ${devVarsFileName(environment)}`,
    );
  }
  if (environment) assertDatabaseOutsideThisMachine(environment, databaseUrl);
  else console.log("deploying the top-level config (Worker liveloot); --env staging or --env production for those");
  console.log(`DATABASE_URL for ${target} from ${settings.describeSource("DATABASE_URL")}`);
  await deploy({ environment, databaseUrl, log: (line) => console.log(line) });
}

if (isRunAsScript(import.meta.url)) {
  await main().catch((error: unknown) => {
    // Migration errors name files and Postgres errors, never the connection string.
    console.error(`deploy failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}

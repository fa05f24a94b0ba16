import { execFile } from "node:child_process";
import { access, chown, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { findFreePort } from "./findFreePort";
import type { RunningPostgres } from "./postgres";

const runFile = promisify(execFile);

interface ClusterUser {
  /** Prepended to every Postgres command: empty, or `runuser -u postgres --` when we are root. */
  commandPrefix: string[];
  /** Who must own the data directory, when that is not us. */
  owner?: { userId: number; groupId: number };
}

const startAttempts = 3;

/**
 * Starts a throwaway Postgres cluster from the machine's own binaries (`pg_config --bindir`):
 * initdb with trust auth, then pg_ctl on a free port, listening on 127.0.0.1 only and on no Unix
 * socket. The data lives in a new temporary directory, removed at stop, or in `dataDirectory`,
 * kept and reused. Returns undefined when there are no binaries, or when we are root (initdb
 * refuses root) and there is no `postgres` OS user or no `runuser` to switch to it.
 */
export async function startPostgresCluster(
  options: { dataDirectory?: string } = {},
): Promise<RunningPostgres | undefined> {
  const binaryDirectory = await findBinaryDirectory();
  const clusterUser = await findClusterUser();
  if (binaryDirectory === undefined || clusterUser === undefined) return undefined;
  const runPostgresCommand = (program: string, args: string[]) => {
    const commandLine = [...clusterUser.commandPrefix, join(binaryDirectory, program), ...args];
    // cwd: the postgres user may not be allowed into ours.
    return runFile(commandLine[0] ?? program, commandLine.slice(1), { cwd: tmpdir() });
  };

  const isThrowaway = options.dataDirectory === undefined;
  const dataDirectory =
    options.dataDirectory === undefined
      ? await mkdtemp(join(tmpdir(), "liveloot-postgres-"))
      : resolve(options.dataDirectory);
  const removeThrowawayDirectory = () =>
    isThrowaway ? rm(dataDirectory, { recursive: true, force: true }) : Promise.resolve();
  try {
    // Parents get the default mode: as root, the postgres user must be able to walk through them.
    await mkdir(dirname(dataDirectory), { recursive: true });
    await mkdir(dataDirectory, { recursive: true, mode: 0o700 });
    if (clusterUser.owner !== undefined) {
      await chown(dataDirectory, clusterUser.owner.userId, clusterUser.owner.groupId);
    }
    if (!(await isReadable(join(dataDirectory, "PG_VERSION")))) {
      await runPostgresCommand("initdb", [
        `--pgdata=${dataDirectory}`,
        "--username=postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C",
        ...(isThrowaway ? ["--no-sync"] : []),
      ]);
    }
    const port = await startServer(dataDirectory, isThrowaway, runPostgresCommand);
    let stopping: Promise<void> | undefined;
    return {
      serverUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop() {
        stopping ??= (async () => {
          try {
            // A throwaway cluster needs no shutdown checkpoint: its files are deleted next.
            const mode = isThrowaway ? "immediate" : "fast";
            await runPostgresCommand("pg_ctl", [`--pgdata=${dataDirectory}`, `--mode=${mode}`, "--wait", "stop"]);
          } finally {
            await removeThrowawayDirectory();
          }
        })();
        return stopping;
      },
    };
  } catch (error) {
    await removeThrowawayDirectory();
    throw error;
  }
}

/** pg_ctl start on a free port, retried because the port may be taken between finding and binding it. */
async function startServer(
  dataDirectory: string,
  isThrowaway: boolean,
  runPostgresCommand: (program: string, args: string[]) => Promise<unknown>,
): Promise<number> {
  const settings = ["-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''"];
  if (isThrowaway) settings.push("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off");
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      await runPostgresCommand("pg_ctl", [
        `--pgdata=${dataDirectory}`,
        `--log=${join(dataDirectory, "server.log")}`,
        "--wait",
        "--timeout=60",
        `--options=${[`-p ${port}`, ...settings].join(" ")}`,
        "start",
      ]);
      return port;
    } catch (error) {
      if (attempt >= startAttempts) {
        // A throwaway directory is deleted next, so the log's last lines travel in the message.
        const log = await readFile(join(dataDirectory, "server.log"), "utf8").catch(() => "");
        const lastLines = log.trim().split("\n").slice(-10).join("\n");
        throw new Error(`pg_ctl could not start Postgres in ${dataDirectory}:\n${lastLines}`, { cause: error });
      }
    }
  }
}

async function findBinaryDirectory(): Promise<string | undefined> {
  try {
    const { stdout } = await runFile("pg_config", ["--bindir"]);
    const directory = stdout.trim();
    const hasPrograms = (await isReadable(join(directory, "initdb"))) && (await isReadable(join(directory, "pg_ctl")));
    return hasPrograms ? directory : undefined;
  } catch {
    return undefined;
  }
}

async function findClusterUser(): Promise<ClusterUser | undefined> {
  if (process.getuid?.() !== 0) return { commandPrefix: [] };
  try {
    await runFile("runuser", ["--version"]);
    const userId = Number((await runFile("id", ["-u", "postgres"])).stdout.trim());
    const groupId = Number((await runFile("id", ["-g", "postgres"])).stdout.trim());
    return { commandPrefix: ["runuser", "-u", "postgres", "--"], owner: { userId, groupId } };
  } catch {
    return undefined;
  }
}

async function isReadable(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

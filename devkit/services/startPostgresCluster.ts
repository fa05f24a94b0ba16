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
/** How long a leftover postmaster may take to be reaped after it died (a zombie still holds its pid). */
const leftoverExitMilliseconds = 10_000;

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
    await stopLeftoverServer(dataDirectory, runPostgresCommand);
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

/**
 * A run that crashed, or was stopped by a second Ctrl-C, can leave its server running, or a
 * `postmaster.pid` whose process is gone, and Postgres refuses a data directory whose recorded
 * postmaster is alive. So: our server still running there is stopped (fast: a clean shutdown, its
 * data kept) and started anew on a port of this run; a pid now taken by another process is a stale
 * file, removed; a pid that is gone is left to Postgres, which removes the stale file and replays
 * its WAL to recover what the crashed server had committed.
 */
async function stopLeftoverServer(
  dataDirectory: string,
  runPostgresCommand: (program: string, args: string[]) => Promise<unknown>,
): Promise<void> {
  const pidFile = join(dataDirectory, "postmaster.pid");
  const recorded = await readFile(pidFile, "utf8").catch(() => undefined);
  const pid = Number(recorded?.split("\n")[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return;
  const deadline = Date.now() + leftoverExitMilliseconds;
  let leftover = await describeProcess(pid);
  // Killed but not yet reaped: its pid still counts as alive for Postgres.
  while (leftover?.isZombie === true && Date.now() < deadline) {
    await sleep(100);
    leftover = await describeProcess(pid);
  }
  if (leftover === undefined || leftover.isZombie) return;
  if (!isPostmasterOf(leftover.commandLine, dataDirectory)) {
    console.warn(`Removing a stale ${pidFile}: its pid ${pid} now belongs to another process.`);
    await rm(pidFile, { force: true });
    return;
  }
  console.warn(`Postgres from an earlier run (pid ${pid}) is still running on ${dataDirectory}: stopping it first.`);
  try {
    await runPostgresCommand("pg_ctl", [`--pgdata=${dataDirectory}`, "--mode=fast", "--wait", "--timeout=30", "stop"]);
  } catch {
    await runPostgresCommand("pg_ctl", [`--pgdata=${dataDirectory}`, "--mode=immediate", "--wait", "stop"]);
  }
}

interface ProcessDescription {
  isZombie: boolean;
  /** The arguments joined by spaces. */
  commandLine: string;
}

/** What runs under a pid, or undefined when nothing does: from /proc on Linux, else from `ps`. */
async function describeProcess(pid: number): Promise<ProcessDescription | undefined> {
  if (await isReadable("/proc/self/stat")) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      // "<pid> (<name>) <state> …": the name may hold spaces and parentheses.
      const state = stat.slice(stat.lastIndexOf(")") + 2).charAt(0);
      const commandLine = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").join(" ").trim();
      return { isZombie: state === "Z" || state === "X", commandLine };
    } catch {
      return undefined;
    }
  }
  try {
    const { stdout } = await runFile("ps", ["-o", "stat=", "-o", "args=", "-p", String(pid)]);
    const match = /^\s*(\S+)\s*(.*)$/.exec(stdout.trim());
    if (match === null) return undefined;
    return { isZombie: (match[1] ?? "").startsWith("Z"), commandLine: match[2] ?? "" };
  } catch {
    // ps exits with 1 when there is no such process.
    return undefined;
  }
}

/** pg_ctl starts the server as `postgres -D <data directory> …`. */
function isPostmasterOf(commandLine: string, dataDirectory: string): boolean {
  return commandLine.includes(` -D ${dataDirectory} `) || commandLine.endsWith(` -D ${dataDirectory}`);
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
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
      // After a crash the old server's children may hold its shared memory for a moment.
      await sleep(250 * attempt);
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

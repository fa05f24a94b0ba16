import { type ChildProcess, spawnSync } from "node:child_process";

const graceMilliseconds = 5_000;

/**
 * Stops a child started with `detached: true` together with everything it started (wrangler
 * runs workerd as its own child): SIGTERM to the whole process group, SIGKILL after a grace period.
 */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signalGroup(child.pid, "SIGTERM");
  const stoppedInTime = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMilliseconds).unref()),
  ]);
  // Children of the group may outlive its leader; the group is killed either way.
  signalGroup(child.pid, "SIGKILL");
  if (!stoppedInTime) await exited;
}

/** Last resort from a synchronous `exit` handler: no waiting possible there. */
export function killProcessGroupNow(child: ChildProcess): void {
  if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
}

function signalGroup(processGroupId: number, signal: NodeJS.Signals): void {
  if (process.platform === "win32") {
    // No process groups there: taskkill ends the tree.
    spawnSync("taskkill", ["/pid", String(processGroupId), "/T", ...(signal === "SIGKILL" ? ["/F"] : [])]);
    return;
  }
  try {
    process.kill(-processGroupId, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** Whether the module at `moduleUrl` is the script Node was started with (not an import). */
export function isRunAsScript(moduleUrl: string): boolean {
  const scriptPath = process.argv[1];
  if (!scriptPath) return false;
  try {
    return pathToFileURL(realpathSync(scriptPath)).href === moduleUrl;
  } catch {
    return false;
  }
}

#!/usr/bin/env node
// Runs a command with Node 22 or newer first on PATH. wrangler 4 needs Node 22; where the
// machine's Node is older, Node 22 is installed once from the npm registry into .cache/node22.
// Plain JavaScript on purpose: it must run on the older Node that launches it.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const major = Number(process.versions.node.split(".")[0]);
const env = { ...process.env };

if (major < 22) {
  const prefix = join(root, ".cache", "node22");
  const binDir = join(prefix, "node_modules", "node", "bin");
  if (!existsSync(join(binDir, process.platform === "win32" ? "node.exe" : "node"))) {
    console.error(`Node ${process.versions.node} is older than 22: installing Node 22 into .cache/node22 …`);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const result = spawnSync(npm, ["install", "--prefix", prefix, "--no-save", "--no-package-lock", "node@22"], {
      stdio: "inherit",
      env,
      shell: process.platform === "win32",
    });
    if (result.status !== 0) {
      console.error("Could not install Node 22. Install Node 22 or newer yourself (see .nvmrc).");
      process.exit(1);
    }
  }
  env.PATH = `${binDir}${delimiter}${env.PATH ?? ""}`;
}
env.PATH = `${join(root, "node_modules", ".bin")}${delimiter}${env.PATH ?? ""}`;

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: with-node22.mjs <command> [args…]");
  process.exit(2);
}
const child = spawn(command, args, { stdio: "inherit", env, shell: process.platform === "win32" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});

import { randomInt } from "node:crypto";
import { createServer } from "node:net";

/**
 * Below Linux's ephemeral range (32768–60999): a port found here is never one the kernel hands
 * to a server listening on port 0 (the fakes, the proxies, the dev clock), which is how a port
 * picked for one program used to be taken by another before it started.
 */
const firstCandidate = 20_000;
const lastCandidate = 32_000;
const attempts = 50;

/**
 * Finds a free TCP port on `host` and releases it at once, for programs we spawn that cannot
 * listen on port 0 and report back (postgres, redis-server, wrangler). Another process may still
 * take the port in between, so callers retry.
 */
export async function findFreePort(host = "127.0.0.1"): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const port = randomInt(firstCandidate, lastCandidate);
    if (await canListen(host, port)) return port;
  }
  throw new Error(`No free port between ${firstCandidate} and ${lastCandidate} on ${host} after ${attempts} tries`);
}

async function canListen(host: string, port: number): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, host, () => resolve(true));
  });
  if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  return listening;
}

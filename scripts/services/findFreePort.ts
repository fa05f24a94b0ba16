import { createServer } from "node:net";

/**
 * Asks the kernel for a free TCP port on `host` and releases it at once.
 * For programs we spawn that cannot listen on port 0 and report back (postgres,
 * redis-server); another process may take the port in between, so callers retry.
 */
export async function findFreePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") {
    throw new Error(`Could not read the port the kernel picked on ${host}`);
  }
  return address.port;
}

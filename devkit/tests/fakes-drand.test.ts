import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyBeaconSignature } from "../../scripts/fairness/verifyBeaconSignature";
import {
  DrandUnavailableError,
  fetchRound,
  formatRoundUrl,
  parseDrandChainInfo,
  quicknet,
} from "../../worker/fairness/beacon";
import { DrandControl } from "../fakes/drandControl";
import { type DrandFake, startDrandFake } from "../fakes/drandFake";

let fake: DrandFake;
let control: DrandControl;
const genesisSeconds = Math.floor(Date.now() / 1000) - 20;

beforeAll(async () => {
  fake = await startDrandFake({ genesisSeconds, periodSeconds: 1, seed: "fakes-drand-test" });
  control = new DrandControl(fake.url);
});
afterAll(() => fake.stop());

async function getJson(path: string): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(`${fake.url}${path}`);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

describe("drand fake", () => {
  it("serves its chain info like a relay, with its own key and chain hash", async () => {
    const { status, body } = await getJson(`/${fake.chainHash}/info`);
    expect(status).toBe(200);
    const chain = parseDrandChainInfo(body);
    expect(chain).toMatchObject({ chainHash: fake.chainHash, genesisSeconds, periodSeconds: 1 });
    expect(chain.scheme).toBe("bls-unchained-g1-rfc9380");
    expect(chain.publicKey).toHaveLength(192);
    expect(chain.publicKey).not.toBe(quicknet.publicKey);
    expect(await control.readChainInfo()).toEqual(body);
    expect((await getJson("/chains")).body).toEqual([fake.chainHash]);
  });

  it("derives the same key from the same seed", async () => {
    const twin = await startDrandFake({ genesisSeconds, periodSeconds: 1, seed: "fakes-drand-test" });
    const stranger = await startDrandFake({ genesisSeconds, periodSeconds: 1, seed: "another seed" });
    try {
      expect(twin.chainHash).toBe(fake.chainHash);
      expect(twin.publicKey).toBe(fake.publicKey);
      expect(stranger.publicKey).not.toBe(fake.publicKey);
    } finally {
      await twin.stop();
      await stranger.stop();
    }
  });

  it("signs rounds like quicknet: its signatures verify under its key, not quicknet's", async () => {
    const { status, body } = await getJson(`/${fake.chainHash}/public/latest`);
    expect(status).toBe(200);
    const latest = body as { round: number; signature: string; randomness: string };
    expect(latest.round).toBeGreaterThanOrEqual(20);
    expect(await verifyBeaconSignature(latest, fake.publicKey)).toBe(true);
    expect(await verifyBeaconSignature(latest, quicknet.publicKey)).toBe(false);
    const randomness = new Uint8Array(await crypto.subtle.digest("SHA-256", Buffer.from(latest.signature, "hex")));
    expect(Buffer.from(randomness).toString("hex")).toBe(latest.randomness);
    expect((await getJson(`/${fake.chainHash}/public/${latest.round}`)).body).toEqual(latest);
  });

  it("answers 404 for a round whose time has not come, then serves it", async () => {
    const { latestRound } = await control.readClock();
    const future = latestRound + 2;
    const early = await getJson(`/${fake.chainHash}/public/${future}`);
    expect(early.status).toBe(404);
    expect(early.text).toContain("Requested future beacon");
    const beacon = await fetchRound(fake.url, fake.chainHash, future, {
      schedule: { genesisSeconds, periodSeconds: 1 },
      retryMilliseconds: 100,
    });
    expect(beacon.round).toBe(future);
    expect(beacon).toEqual(await control.readRound(future));
    expect(Date.now()).toBeGreaterThanOrEqual((genesisSeconds + future - 1) * 1000);
  });

  it("lets the control API read any round ahead of time and move the clock", async () => {
    const { latestRound } = await control.readClock();
    const ahead = await control.readRound(latestRound + 100);
    expect(await verifyBeaconSignature(ahead, fake.publicKey)).toBe(true);
    const moved = await control.setClockOffset(200_000);
    expect(moved.latestRound).toBeGreaterThanOrEqual(latestRound + 200);
    expect((await getJson(`/${fake.chainHash}/public/${latestRound + 100}`)).body).toEqual(ahead);
    await control.setClockOffset(0);
  });

  it("rejects unknown chains and bad rounds, and records unexpected calls loudly", async () => {
    const since = await control.readLastSequence();
    expect((await getJson(`/${"0".repeat(64)}/public/1`)).status).toBe(404);
    expect((await getJson(`/${fake.chainHash}/public/abc`)).status).toBe(400);
    expect((await getJson(`/v2/beacons/quicknet/rounds/1/extra`)).status).toBe(404);
    const unexpected = await control.listUnexpectedCalls({ since });
    expect(unexpected.map((call) => call.path)).toEqual(["/v2/beacons/quicknet/rounds/1/extra"]);
    const calls = await control.listCalls({ since, pathPrefix: `/${fake.chainHash}/public/` });
    expect(calls.map((call) => call.status)).toEqual([400]);
  });

  it("simulates an unreachable beacon, and the client gives up at its deadline", async () => {
    const { latestRound } = await control.readClock();
    const rule = await control.makeUnreachable({ times: 5, delayMilliseconds: 5_000 });
    const started = Date.now();
    const failure = await fetchRound(fake.url, fake.chainHash, latestRound, { deadline: started + 800 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DrandUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_000);
    await control.removeFailure(rule.id);

    const failing = await control.makeUnreachable({ times: 2, status: 503, delayMilliseconds: 0 });
    const since = await control.readLastSequence();
    const beacon = await fetchRound(fake.url, fake.chainHash, latestRound, { retryMilliseconds: 50 });
    expect(beacon.round).toBe(latestRound);
    const calls = await control.listCalls({ since });
    expect(calls.map((call) => [call.status, call.injected])).toEqual([
      [503, true],
      [503, true],
      [200, false],
    ]);
    expect(calls[0]?.path).toBe(new URL(formatRoundUrl(fake.url, fake.chainHash, latestRound)).pathname);
    expect(await control.listFailures()).not.toContainEqual(expect.objectContaining({ id: failing.id }));
  });

  it("has a control client that imports nothing but zod, so it runs inside workerd", () => {
    const packages = new Set<string>();
    const seen = new Set<string>();
    const pending = [resolve(import.meta.dirname, "../fakes/drandControl.ts")];
    while (pending.length > 0) {
      const file = pending.pop();
      if (file === undefined || seen.has(file)) continue;
      seen.add(file);
      for (const match of readFileSync(file, "utf8").matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
        const specifier = match[1] ?? "";
        if (specifier.startsWith(".")) pending.push(resolve(dirname(file), `${specifier}.ts`));
        else packages.add(specifier);
      }
    }
    expect([...packages]).toEqual(["zod"]);
  });
});

import { describe, expect, it } from "vitest";
import {
  DrandResponseError,
  DrandUnavailableError,
  fetchRound,
  formatRoundUrl,
  parseDrandBeacon,
  parseDrandChainInfo,
  quicknet,
} from "../../../worker/fairness/beacon";

const beacon = {
  round: 657413,
  randomness: "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587",
  signature: "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b",
};

/** A relay scripted answer by answer, recording the URLs it was asked. */
function scriptedFetch(answers: (() => Response)[]) {
  const urls: string[] = [];
  const fetchFunction = async (input: RequestInfo | URL): Promise<Response> => {
    urls.push(String(input));
    const answer = answers.shift();
    if (answer === undefined) throw new Error("scripted relay: no answer left");
    return answer();
  };
  return { urls, fetch: fetchFunction as typeof fetch };
}

describe("drand beacon wire shapes", () => {
  it("pins quicknet as docs/fairness.md does", () => {
    expect(quicknet).toMatchObject({
      chainHash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
      genesisSeconds: 1692803367,
      periodSeconds: 3,
      scheme: "bls-unchained-g1-rfc9380",
    });
    expect(formatRoundUrl("https://api.drand.sh/", quicknet.chainHash, 5)).toBe(
      "https://api.drand.sh/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971/public/5",
    );
  });

  it("parses a beacon and chain info, refusing anything else", () => {
    expect(parseDrandBeacon({ ...beacon, previous_signature: "" })).toEqual(beacon);
    expect(() => parseDrandBeacon({ ...beacon, round: "657413" })).toThrow(DrandResponseError);
    expect(() => parseDrandBeacon({ ...beacon, randomness: "zz" })).toThrow(DrandResponseError);
    const info = parseDrandChainInfo({
      public_key: quicknet.publicKey,
      period: 3,
      genesis_time: 1692803367,
      hash: quicknet.chainHash,
      groupHash: "f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e",
      schemeID: "bls-unchained-g1-rfc9380",
      metadata: { beaconID: "quicknet" },
    });
    expect(info).toEqual(quicknet);
    expect(() => parseDrandChainInfo({ ...info })).toThrow(DrandResponseError);
  });
});

describe("fetchRound", () => {
  it("retries a 404 (not yet) and a 502 until the round arrives", async () => {
    const relay = scriptedFetch([
      () => new Response("Requested future beacon", { status: 404 }),
      () => new Response("bad gateway", { status: 502 }),
      () => Response.json(beacon),
    ]);
    const result = await fetchRound("https://relay.example", quicknet.chainHash, 657413, {
      fetch: relay.fetch,
      retryMilliseconds: 5,
    });
    expect(result).toEqual(beacon);
    expect(relay.urls).toHaveLength(3);
  });

  it("refuses another round or a randomness that is not sha256(signature)", async () => {
    const otherRound = scriptedFetch([() => Response.json({ ...beacon, round: 657414 })]);
    await expect(
      fetchRound("https://relay.example", quicknet.chainHash, 657413, { fetch: otherRound.fetch }),
    ).rejects.toThrow("asked for round 657413, got round 657414");
    const forged = scriptedFetch([() => Response.json({ ...beacon, randomness: "00".repeat(32) })]);
    await expect(
      fetchRound("https://relay.example", quicknet.chainHash, 657413, { fetch: forged.fetch }),
    ).rejects.toThrow(DrandResponseError);
  });

  it("gives up at the deadline with DrandUnavailableError", async () => {
    const notYet = () => new Response("Requested future beacon", { status: 404 });
    const relay = scriptedFetch(Array.from({ length: 100 }, () => notYet));
    const started = Date.now();
    const failure = await fetchRound("https://relay.example", quicknet.chainHash, 657413, {
      fetch: relay.fetch,
      retryMilliseconds: 20,
      deadline: started + 150,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DrandUnavailableError);
    expect((failure as DrandUnavailableError).lastStatus).toBe(404);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("does not ask before the round's publication time, and stops when aborted", async () => {
    const relay = scriptedFetch([() => Response.json(beacon)]);
    const controller = new AbortController();
    // Round 657413 of this schedule is due 10 s after the clock's "now".
    const schedule = { genesisSeconds: 0, periodSeconds: 1 };
    const waiting = fetchRound("https://relay.example", quicknet.chainHash, 657413, {
      fetch: relay.fetch,
      schedule,
      now: () => 657412 * 1000 - 10_000,
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error("tick cancelled"));
    await expect(waiting).rejects.toThrow("tick cancelled");
    expect(relay.urls).toEqual([]);
  });
});

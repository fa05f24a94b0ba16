import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrandControl } from "../../../devkit/fakes/drandControl";
import { type DrandFake, startDrandFake } from "../../../devkit/fakes/drandFake";
import { fetchRound, quicknet } from "../../../worker/fairness/beacon";
import { parseHex } from "../../../worker/fairness/bytes";
import {
  type ChainSchedule,
  decideDraw,
  decideRedraw,
  firstRoundAfter,
  formatManualSlotLabel,
  formatSlotLabel,
  roundPublishedAt,
} from "../../../worker/fairness/livelootV1";
import type { DrawRecordJson, RaffleRecordJson, WeightedRecordLine } from "../../../worker/fairness/raffleRecord";

const root = join(import.meta.dirname, "..", "..", "..");
const raffle = "vRf9xK2mQa";
const entrantLines: WeightedRecordLine[] = [
  ["41000000001", "alice", 1],
  ["9", "bob", 350],
  ["1000", "carol", 100],
  ["77", "dave", 500],
];
const itemLines: WeightedRecordLine[] = [
  ["3", "Sword", 10],
  ["21", "Shield", 5],
];

let fake: DrandFake;
let drand: DrandControl;
let schedule: ChainSchedule;
let server: Server;
let pageBase: string;
/** What the tiny raffle server answers at `/r/{raffle}.json`; each test sets it. */
let served: unknown;

/** One draw exactly as the Worker will publish it, decided by the TypeScript algorithm. */
async function buildDraw(options: {
  drawNumber: number;
  slot: string;
  readAt: number;
  beacon: { round: number; signature: string; randomness: string } | null;
  redraws: number;
}): Promise<DrawRecordJson> {
  const randomness = options.beacon?.randomness ?? "5a".repeat(32);
  const entrants = entrantLines.map(([id, , weight]) => ({ id, weight }));
  const input = { randomness: parseHex(randomness), raffle, slot: options.slot, entrants };
  const decision = await decideDraw({ ...input, items: itemLines.map(([id, , weight]) => ({ id, weight })) });
  const winners = [decision.winnerUserId ?? ""];
  const redraws = [];
  for (let n = 1; n <= options.redraws; n += 1) {
    const redraw = await decideRedraw(n, input, winners);
    redraws.push({ n, winner_user_id: redraw.winnerUserId });
    winners.push(redraw.winnerUserId ?? "");
  }
  return {
    slot: options.slot,
    draw_number: options.drawNumber,
    round: options.beacon?.round ?? null,
    signature: options.beacon?.signature ?? null,
    randomness,
    entrants_read_at: new Date(options.readAt).toISOString(),
    entrants: entrantLines,
    entrants_sha256: decision.entrants.sha256,
    items: itemLines,
    items_sha256: decision.items.sha256,
    item_id: decision.itemId,
    winner_user_id: decision.winnerUserId,
    redraws,
  };
}

let validRecord: RaffleRecordJson;

beforeAll(async () => {
  const genesisSeconds = Math.floor(Date.now() / 1000) - 120;
  fake = await startDrandFake({ genesisSeconds, periodSeconds: 1, seed: "verify-script-test" });
  drand = new DrandControl(fake.url);
  schedule = { genesisSeconds, periodSeconds: 1 };

  const scheduledReadAt = Date.now() - 60_000;
  const manualReadAt = Date.now() - 30_250;
  const scheduledBeacon = await fetchRound(fake.url, fake.chainHash, firstRoundAfter(scheduledReadAt, schedule));
  const manualBeacon = await fetchRound(fake.url, fake.chainHash, firstRoundAfter(manualReadAt, schedule));
  validRecord = {
    raffle,
    algorithm: "liveloot/v1",
    chain_hash: fake.chainHash,
    draws: [
      await buildDraw({
        drawNumber: 1,
        slot: formatSlotLabel(scheduledReadAt),
        readAt: scheduledReadAt,
        beacon: scheduledBeacon,
        redraws: 2,
      }),
      await buildDraw({
        drawNumber: 2,
        slot: formatManualSlotLabel(9001),
        readAt: manualReadAt,
        beacon: manualBeacon,
        redraws: 0,
      }),
      await buildDraw({
        drawNumber: 3,
        slot: formatSlotLabel(Date.now() - 10_000),
        readAt: Date.now() - 10_000,
        beacon: null,
        redraws: 0,
      }),
    ],
  };

  server = createServer((request, response) => {
    if (request.url === `/r/${raffle}.json`) {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(served));
    } else {
      response.writeHead(404, { "content-type": "text/html" });
      response.end("<h1>Not found</h1>");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  pageBase = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await fake?.stop();
});

function runVerify(
  args: string[],
  environment: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/verify.ts", ...args],
      { cwd: root, env: { ...process.env, LIVELOOT_CHAIN_INFO_URL: "", ...environment } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function tamper(change: (draws: DrawRecordJson[]) => void): RaffleRecordJson {
  const copy = structuredClone(validRecord);
  change(copy.draws);
  return copy;
}

describe("npm run verify", () => {
  it("passes a record of the fake beacon's draws, one ✓ line per draw", async () => {
    served = validRecord;
    const result = await runVerify([`${pageBase}/r/${raffle}`, "--chain-info", fake.url]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe(`Raffle ${raffle} (liveloot/v1), 3 draw(s), against chain ${fake.chainHash}`);
    expect(lines[1]).toMatch(
      /^✓ draw 1 \(slot \d{4}-\d\d-\d\dT\d\d:\d\dZ, round \d+\): recomputed, beacon signature valid$/,
    );
    expect(lines[2]).toMatch(/^✓ draw 2 \(slot manual-9001, round \d+\): recomputed, beacon signature valid$/);
    expect(lines[3]).toMatch(/^✓ draw 3 \(slot .*, round none\): recomputed; not publicly verifiable/);
    expect(lines[4]).toBe("All 3 draw(s) verify.");
  });

  it("takes the chain from LIVELOOT_CHAIN_INFO_URL (an /info URL) and a .json URL as is", async () => {
    served = validRecord;
    const result = await runVerify([`${pageBase}/r/${raffle}.json`], {
      LIVELOOT_CHAIN_INFO_URL: `${fake.url}/${fake.chainHash}/info`,
    });
    expect(result.code).toBe(0);
  });

  it("fails a changed winner, naming it", async () => {
    const winner = validRecord.draws[0]?.winner_user_id;
    const impostor = entrantLines.map(([id]) => id).find((id) => id !== winner);
    served = tamper((draws) => {
      if (draws[0]) draws[0].winner_user_id = impostor ?? null;
    });
    const result = await runVerify([`${pageBase}/r/${raffle}`, "--chain-info", fake.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `✗ draw 1 (slot ${validRecord.draws[0]?.slot}, round ${validRecord.draws[0]?.round}): winner_user_id is "${impostor}", but Pick("winner", entrants) gives "${winner}"`,
    );
    expect(result.stdout).toContain("1 of 3 draw(s) do not verify.");
  });

  it("fails a removed entrant through entrants_sha256", async () => {
    served = tamper((draws) => {
      if (draws[1]) draws[1].entrants = draws[1].entrants.slice(1);
    });
    const result = await runVerify([`${pageBase}/r/${raffle}`, "--chain-info", fake.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /✗ draw 2 .*: entrants_sha256 is "[0-9a-f]{64}", but the 3 published entrants hash to/,
    );
  });

  it("fails a signature of another round, even with a matching randomness", async () => {
    const round = validRecord.draws[0]?.round ?? 0;
    const other = await drand.readRound(round + 1);
    served = tamper((draws) => {
      if (draws[0]) {
        draws[0].signature = other.signature;
        draws[0].randomness = other.randomness;
      }
    });
    const result = await runVerify([`${pageBase}/r/${raffle}`, "--chain-info", fake.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`signature is not the chain's BLS signature of round ${round}`);
  });

  it("fails the fake's draws against quicknet, the default", async () => {
    served = validRecord;
    const result = await runVerify([`${pageBase}/r/${raffle}`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `✗ record: chain_hash is "${fake.chainHash}", but the chain verified against is "${quicknet.chainHash}"`,
    );
    expect(result.stdout).toContain("signature is not the chain's BLS signature");
  });

  it("passes a draw on a real quicknet round without any network but the page's", async () => {
    const round = 657413;
    const readAt = roundPublishedAt(round, quicknet) - 1_500;
    const draw = await buildDraw({
      drawNumber: 1,
      slot: formatSlotLabel(readAt),
      readAt,
      beacon: {
        round,
        signature: "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b",
        randomness: "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587",
      },
      redraws: 1,
    });
    served = { raffle, algorithm: "liveloot/v1", chain_hash: quicknet.chainHash, draws: [draw] };
    const result = await runVerify([`${pageBase}/r/${raffle}`]);
    expect(result.stdout).toContain("against drand quicknet");
    expect(result.stdout).toContain("All 1 draw(s) verify.");
    expect(result.code).toBe(0);
  });

  it("exits 2 when the record cannot be read", async () => {
    const missing = await runVerify([`${pageBase}/r/unknown`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot verify: GET ${pageBase}/r/unknown.json answered 404`);
    served = { raffle, algorithm: "liveloot/v1", chain_hash: quicknet.chainHash, draws: [{ slot: 5 }] };
    const malformed = await runVerify([`${pageBase}/r/${raffle}`]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("draws[0]");
    expect((await runVerify([])).code).toBe(2);
  });
});

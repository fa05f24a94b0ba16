/**
 * The public raffle page's Verify button (`/r/{raffle}`), bundled by scripts/buildPageAssets.ts
 * and served as a static asset: never part of the Worker. Per draw it fetches that draw's record
 * (`/r/{raffle}.json?draw={number}`: a raffle's whole record can be megabytes), checks the drand
 * beacon's BLS signature and recomputes the draw with the same code the Worker decided it with
 * (worker/fairness).
 */
import { verifyBeaconSignature } from "../scripts/fairness/verifyBeaconSignature";
import { type DrandChain, quicknet } from "../worker/fairness/beacon";
import { type DrawRecordJson, parseRaffleRecord, type RaffleRecordJson } from "../worker/fairness/raffleRecord";
import { verifyDrawRecord } from "../worker/fairness/verifyDrawRecord";

interface VerifyTexts {
  checking: string;
  verified: string;
  verifiedNotPublic: string;
  mismatch: string;
  badSignature: string;
  unavailable: string;
}

interface PageData {
  raffle: string;
  record: string;
  chainHash: string;
  chain: { public_key: string; genesis_time: number; period: number; scheme: string } | null;
  texts: VerifyTexts;
}

/** The outcome of one Verify: ✓ (with or without a public beacon) or what does not match. */
type VerifyOutcome = { ok: true; publiclyVerifiable: boolean } | { ok: false; problems: string[] };

function readPageData(): PageData {
  const element = document.getElementById("verify-data");
  const value: unknown = JSON.parse(element?.textContent ?? "null");
  if (typeof value !== "object" || value === null) throw new Error("the page has no verify data");
  const data = value as Partial<PageData>;
  if (typeof data.raffle !== "string" || typeof data.record !== "string" || typeof data.chainHash !== "string") {
    throw new Error("the page's verify data is incomplete");
  }
  return data as PageData;
}

/**
 * The chain a record names: quicknet is pinned in code (a page cannot swap its key); another chain
 * (tests, `npm run dev`) is described by the page itself and must have the record's hash.
 */
function resolveChain(record: RaffleRecordJson, data: PageData): DrandChain {
  if (record.chain_hash === quicknet.chainHash) return quicknet;
  if (data.chain !== null && data.chainHash === record.chain_hash) {
    return {
      chainHash: data.chainHash,
      publicKey: data.chain.public_key,
      genesisSeconds: data.chain.genesis_time,
      periodSeconds: data.chain.period,
      scheme: data.chain.scheme,
    };
  }
  throw new Error(`the record names drand chain ${record.chain_hash}, which this page does not describe`);
}

async function verifyOneDraw(draw: DrawRecordJson, record: RaffleRecordJson, data: PageData): Promise<VerifyOutcome> {
  if (record.algorithm !== "liveloot/v1") {
    return { ok: false, problems: [`algorithm is "${record.algorithm}", not "liveloot/v1"`] };
  }
  if (record.raffle !== data.raffle) {
    return { ok: false, problems: [`raffle is "${record.raffle}", but this page is raffle "${data.raffle}"`] };
  }
  const chain = resolveChain(record, data);
  const problems = (await verifyDrawRecord(draw, data.raffle, chain)).map((mismatch) => mismatch.message);
  if (draw.round !== null && draw.signature !== null) {
    const signed = await verifyBeaconSignature({ round: draw.round, signature: draw.signature }, chain.publicKey);
    if (!signed) problems.unshift(`signature: ${data.texts.badSignature}`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, publiclyVerifiable: draw.round !== null };
}

function start(): void {
  const data = readPageData();
  const loadRecord = async (drawNumber: string): Promise<RaffleRecordJson> => {
    const url = `${data.record}?draw=${encodeURIComponent(drawNumber)}`;
    const response = await fetch(url, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return parseRaffleRecord(await response.json());
  };

  for (const button of document.querySelectorAll<HTMLButtonElement>("button.verify[data-slot]")) {
    const slot = button.dataset.slot ?? "";
    const drawNumber = button.dataset.draw ?? "";
    const result = document.getElementById(`result-${slot}`);
    if (result === null) continue;
    button.addEventListener("click", async () => {
      button.disabled = true;
      result.className = "result";
      result.textContent = data.texts.checking;
      try {
        const record = await loadRecord(drawNumber);
        const draw = record.draws.find((candidate) => candidate.slot === slot);
        const outcome: VerifyOutcome =
          draw === undefined
            ? { ok: false, problems: [`the record has no draw for slot ${slot}`] }
            : await verifyOneDraw(draw, record, data);
        showOutcome(result, outcome, data.texts);
      } catch (error) {
        result.className = "result bad";
        result.textContent = `${data.texts.unavailable} ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        button.disabled = false;
      }
    });
  }
}

function showOutcome(result: HTMLElement, outcome: VerifyOutcome, texts: VerifyTexts): void {
  if (outcome.ok) {
    result.className = "result ok";
    result.textContent = outcome.publiclyVerifiable ? texts.verified : texts.verifiedNotPublic;
    return;
  }
  result.className = "result bad";
  result.textContent = texts.mismatch;
  const list = document.createElement("ul");
  for (const problem of outcome.problems) {
    const item = document.createElement("li");
    item.textContent = problem;
    list.append(item);
  }
  result.append(list);
}

start();

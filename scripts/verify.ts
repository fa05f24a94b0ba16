/**
 * `npm run verify -- URL [--chain-info URL]`: fetches a raffle's `/r/{raffle}.json` (or the page
 * URL `/r/{raffle}`), recomputes every draw by `liveloot/v1` and checks every beacon signature
 * against the chain's public key. One line per draw; exit 1 on any mismatch, 2 when the record
 * cannot be read.
 *
 * The chain is quicknet, pinned in code, unless `--chain-info` (or LIVELOOT_CHAIN_INFO_URL) names
 * a drand `/info` URL to trust instead, or a drand base URL (then `{base}/{chain_hash}/info`):
 * that is how tests and `npm run dev` verify draws signed by the drand fake.
 */
import { parseArgs } from "node:util";
import { type DrandChain, formatChainInfoUrl, parseDrandChainInfo, quicknet } from "../worker/fairness/beacon";
import { parseRaffleRecord, type RaffleRecordJson } from "../worker/fairness/raffleRecord";
import { type RaffleVerification, verifyRaffleRecord } from "./fairness/verifyRaffleRecord";
import { isRunAsScript } from "./isRunAsScript";

const usage = "usage: npm run verify -- <https://…/r/{raffle}[.json]> [--chain-info <drand /info URL or base URL>]";

/** `/r/{raffle}` and `/r/{raffle}.csv` become `/r/{raffle}.json`; a `.json` URL stays as it is. */
export function formatRecordUrl(pageUrl: string): string {
  const url = new URL(pageUrl);
  if (url.pathname.endsWith(".json")) return url.toString();
  url.pathname = `${url.pathname.replace(/\/+$/, "").replace(/\.csv$/, "")}.json`;
  return url.toString();
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(20_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  try {
    return await response.json();
  } catch {
    throw new Error(`GET ${url} did not answer JSON`);
  }
}

/** Pages a verifier follows at most: 10,000 pages of 20 draws are longer than any raffle. */
const maximumRecordPages = 10_000;

/**
 * The whole record: the newest page, then each `older` page it links (the Worker serves a
 * raffle's draws 20 at a time), merged oldest first. Every page must be the same raffle.
 */
export async function fetchRaffleRecord(pageUrl: string): Promise<RaffleRecordJson> {
  let url: string | undefined = formatRecordUrl(pageUrl);
  const pages: RaffleRecordJson[] = [];
  const seen = new Set<string>();
  while (url !== undefined) {
    if (seen.has(url) || pages.length >= maximumRecordPages) throw new Error(`the record's older links loop at ${url}`);
    seen.add(url);
    const body = await fetchJson(url);
    const page = parseRaffleRecord(body);
    if (pages[0] !== undefined && (page.raffle !== pages[0].raffle || page.chain_hash !== pages[0].chain_hash)) {
      throw new Error(`${url} is another raffle's record`);
    }
    pages.push(page);
    const older = (body as { older?: unknown }).older;
    url = typeof older === "string" && older !== "" ? new URL(older, url).toString() : undefined;
  }
  const [newest] = pages;
  if (newest === undefined) throw new Error("no record");
  return { ...newest, draws: pages.reverse().flatMap((page) => page.draws) };
}

/** Quicknet without a URL; else the chain info at the URL (an `/info` URL, or a base URL + the record's chain hash). */
export async function loadChain(chainInfoUrl: string | undefined, chainHash: string): Promise<DrandChain> {
  if (chainInfoUrl === undefined || chainInfoUrl === "") return quicknet;
  const url = new URL(chainInfoUrl).pathname.endsWith("/info")
    ? chainInfoUrl
    : formatChainInfoUrl(chainInfoUrl, chainHash);
  return parseDrandChainInfo(await fetchJson(url));
}

/** The report: a header, one line per draw, a verdict. */
export function formatVerificationReport(
  record: RaffleRecordJson,
  chain: DrandChain,
  verification: RaffleVerification,
): string[] {
  const chainName = chain.chainHash === quicknet.chainHash ? "drand quicknet" : `chain ${chain.chainHash}`;
  const lines = [`Raffle ${record.raffle} (${record.algorithm}), ${record.draws.length} draw(s), against ${chainName}`];
  for (const mismatch of verification.mismatches) lines.push(`✗ record: ${mismatch.message}`);
  for (const draw of verification.draws) {
    const where = `draw ${draw.drawNumber} (slot ${draw.slot}, round ${draw.round ?? "none"})`;
    if (draw.mismatches.length > 0) {
      lines.push(`✗ ${where}: ${draw.mismatches.map((mismatch) => mismatch.message).join("; ")}`);
    } else if (!draw.publiclyVerifiable) {
      lines.push(
        `✓ ${where}: recomputed; not publicly verifiable (the beacon was unreachable, LiveLoot's own randomness)`,
      );
    } else {
      lines.push(`✓ ${where}: recomputed, beacon signature valid`);
    }
  }
  const failed = verification.draws.filter((draw) => draw.mismatches.length > 0).length;
  lines.push(
    verification.valid
      ? `All ${verification.draws.length} draw(s) verify.`
      : `${failed} of ${verification.draws.length} draw(s) do not verify${verification.mismatches.length > 0 ? ", and the record itself does not match" : ""}.`,
  );
  return lines;
}

async function main(): Promise<number> {
  let values: { "chain-info"?: string | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      allowPositionals: true,
      options: { "chain-info": { type: "string" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const pageUrl = positionals[0];
  if (values.help || pageUrl === undefined || positionals.length > 1) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  let record: RaffleRecordJson;
  let chain: DrandChain;
  try {
    record = await fetchRaffleRecord(pageUrl);
    chain = await loadChain(values["chain-info"] ?? process.env.LIVELOOT_CHAIN_INFO_URL, record.chain_hash);
  } catch (error) {
    console.error(`cannot verify: ${(error as Error).message}`);
    return 2;
  }
  const verification = await verifyRaffleRecord(record, chain);
  for (const line of formatVerificationReport(record, chain, verification)) console.log(line);
  return verification.valid ? 0 : 1;
}

if (isRunAsScript(import.meta.url)) {
  process.exitCode = await main();
}

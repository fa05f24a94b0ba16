import type { AppContext } from "../../context";
import { type PublicDrawSelection, readPublicRaffle, recordPageSize } from "../../db/publicRaffle";
import { HttpError } from "../../errors";
import { quicknet } from "../../fairness/beacon";
import { readDrandChain } from "../../fairness/drandChain";
import { buildContentSecurityPolicy } from "../contentSecurityPolicy";
import { resolveBrowserLocale } from "../renderMessagePage";
import { respondNotFound } from "../respondNotFound";
import { formatRaffleCsv } from "./formatRaffleCsv";
import { type ChainDescription, formatPublishedChain, formatRaffleRecord } from "./formatRaffleRecord";
import { renderRafflePage } from "./renderRafflePage";

/** Public and short-lived: a new draw shows within half a minute, and a busy page costs few reads. */
const cacheControl = "public, max-age=30";

/** Only our own script runs on the page, and it may fetch only our own origin (the record). */
const pageContentSecurityPolicy = buildContentSecurityPolicy({
  script: "'self'",
  connect: "'self'",
  image: "'self' data:",
});

/**
 * GET /r/{file}: `{raffle}` (the page), `{raffle}.json` (the record) or `{raffle}.csv`. A malformed
 * or unknown public id is a 404: HTML to a browser, JSON for the record.
 */
export async function handleRafflePage(request: Request, app: AppContext, file: string): Promise<Response> {
  const { publicId, format } = splitRaffleFile(file);
  const selection = format === "json" ? readRecordSelection(new URL(request.url).searchParams) : undefined;
  if (selection === null) return new HttpError(400, "before and draw must be draw numbers (1 or more).").toResponse();
  const [raffle, chain] = await Promise.all([
    // One more than a page: whether an older page exists is known without a second query.
    readPublicRaffle(
      app.database,
      publicId,
      selection?.kind === "record" ? { ...selection, limit: selection.limit + 1 } : selection,
    ),
    format === "csv" ? Promise.resolve(undefined) : describeChain(app),
  ]);
  if (raffle === undefined) {
    if (format === "json") return new HttpError(404, "Not found.").toResponse();
    return respondNotFound(request);
  }
  if (format === "csv") {
    return new Response(formatRaffleCsv(raffle), {
      headers: {
        "content-type": "text/csv; charset=utf-8; header=present",
        "content-disposition": `attachment; filename="liveloot-${raffle.publicId}.csv"`,
        "cache-control": cacheControl,
        "x-content-type-options": "nosniff",
      },
    });
  }
  const chainDescription = chain ?? { chainHash: quicknet.chainHash, chain: quicknet };
  if (format === "json") {
    let older: string | null = null;
    if (selection?.kind === "record" && raffle.draws.length > selection.limit) {
      const [, ...page] = raffle.draws;
      raffle.draws = page;
      older = `/r/${raffle.publicId}.json?before=${page[0]?.drawNumber ?? 0}`;
    }
    if (selection?.kind === "draw" && raffle.draws.length === 0)
      return new HttpError(404, "No such draw.").toResponse();
    return new Response(`${JSON.stringify(formatRaffleRecord(raffle, chainDescription, older), null, 1)}\n`, {
      headers: {
        "content-type": "application/json; charset=utf-8",
        "cache-control": cacheControl,
        // Public data: any verifier, on any origin, may read it.
        "access-control-allow-origin": "*",
        "x-content-type-options": "nosniff",
      },
    });
  }
  const locale = resolveBrowserLocale(request.headers.get("accept-language"));
  const html = renderRafflePage(raffle, locale, {
    chainHash: chainDescription.chainHash,
    chain: formatPublishedChain(chainDescription.chain),
  });
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-language": locale,
      vary: "Accept-Language",
      "cache-control": cacheControl,
      "content-security-policy": pageContentSecurityPolicy,
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    },
  });
}

/**
 * Which draws a `.json` request wants: `?draw=N` one draw (the Verify button), `?before=N` the
 * page of draws numbered below N, else the newest page; null when a number is malformed.
 */
export function readRecordSelection(parameters: URLSearchParams): PublicDrawSelection | null {
  const readNumber = (name: string): number | null | undefined => {
    const text = parameters.get(name);
    if (text === null) return undefined;
    return /^[1-9][0-9]{0,8}$/.test(text) ? Number(text) : null;
  };
  const draw = readNumber("draw");
  const before = readNumber("before");
  if (draw === null || before === null) return null;
  if (draw !== undefined) return { kind: "draw", drawNumber: draw };
  return { kind: "record", before, limit: recordPageSize };
}

/** `abc.json` → json, `abc.csv` → csv, anything else is the page itself. */
export function splitRaffleFile(file: string): { publicId: string; format: "html" | "json" | "csv" } {
  const match = /^(.*)\.(json|csv)$/.exec(file);
  if (match) return { publicId: match[1] ?? "", format: match[2] as "json" | "csv" };
  return { publicId: file, format: "html" };
}

/**
 * The chain the draws came from. Its description (genesis, period, key) is pinned for quicknet and
 * read from the relay for another chain; when that read fails the record still names the hash.
 */
async function describeChain(app: AppContext): Promise<ChainDescription> {
  try {
    const chain = await readDrandChain(app.config.drand);
    return { chainHash: chain.chainHash, chain };
  } catch (error) {
    app.log.warn("drand chain description unavailable for the raffle page", {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return { chainHash: app.config.drand.chainHash ?? quicknet.chainHash, chain: null };
  }
}

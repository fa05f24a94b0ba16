import type { PublicDraw, PublicRaffle, PublicTerms } from "../../db/publicRaffle";
import { listGates } from "../../domain/gates";
import type { Locale } from "../../i18n/translate";
import { describeGates } from "../../raffle/describeGates";
import { escapeHtml } from "../escapeHtml";
import { renderHtmlDocument } from "../renderHtmlDocument";
import type { PublishedChain } from "./formatRaffleRecord";
import { readRaffleTexts } from "./raffleTexts";

/** Where the Verify script is served from (a Workers Static Asset, built by scripts/buildPageAssets.ts). */
export const verifyScriptPath = "/assets/raffle-verify.js";

/** docs/fairness.md as a page, on the Worker's own origin (a Workers Static Asset, built by scripts/buildPageAssets.ts). */
export const fairnessDocPath = "/docs/fairness";

/** What the Verify script reads from the page: where the record is, the chain, and its messages. */
export interface VerifyPageData {
  /** The raffle's public id: the `{raffle}` of every word message. */
  raffle: string;
  /** Same-origin path of the record (`/r/{raffle}.json`). */
  record: string;
  chainHash: string;
  chain: PublishedChain | null;
  texts: ReturnType<typeof readRaffleTexts>["verify"];
}

/**
 * `/r/{raffle}`: rules, the Twitch promotion disclaimer, how the draws are made fair and every draw
 * (newest first) with a Verify button. Everything from the database is escaped; the only script
 * is the same-origin Verify bundle, which reads its inputs from a JSON data block.
 */
export function renderRafflePage(
  raffle: PublicRaffle,
  locale: Locale,
  chain: { chainHash: string; chain: PublishedChain | null },
): string {
  const texts = readRaffleTexts(locale);
  const channel = escapeHtml(raffle.channelLogin);
  const recordPath = `/r/${encodeURIComponent(raffle.publicId)}`;
  const pageData: VerifyPageData = {
    raffle: raffle.publicId,
    record: `${recordPath}.json`,
    chainHash: chain.chainHash,
    chain: chain.chain,
    texts: texts.verify,
  };
  const disclaimerOriginal =
    texts.disclaimerOriginalLabel === null
      ? ""
      : `<p lang="en"><span lang="${locale}">${escapeHtml(texts.disclaimerOriginalLabel)}</span> ${escapeHtml(readRaffleTexts("en-US").disclaimer(raffle.channelLogin))}</p>`;
  const terms = listTerms(raffle);
  const versioned = terms.length > 1;
  const rulesText = [...terms]
    .reverse()
    .map((version, index) => {
      const heading = versioned
        ? `<h3>${escapeHtml(index === 0 ? texts.latestTermsHeading(version.version) : texts.termsVersion(version.version))}</h3>`
        : "";
      return `<div class="terms" id="terms-${version.version}">${heading}${renderTerms(version, locale, texts, versioned ? "h4" : "h3")}</div>`;
    })
    .join("\n    ");
  const draws = [...raffle.draws].reverse();
  const drawList =
    draws.length === 0
      ? `<p>${escapeHtml(texts.noDraws)}</p>`
      : `<ol class="draws">${draws.map((draw) => renderDraw(draw, texts, versioned)).join("")}</ol>`;
  const truncated =
    raffle.drawTotal > raffle.draws.length
      ? `<p class="note">${escapeHtml(texts.truncated(raffle.draws.length, raffle.drawTotal))}</p>`
      : "";
  return renderHtmlDocument({
    locale: locale,
    title: `${texts.pageTitle(raffle.channelLogin)} · LiveLoot`,
    style: `  :root { font-family: system-ui, sans-serif; }
  body { margin: 0; background: #0e0e10; color: #efeff1; line-height: 1.5; }
  main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.6rem; margin: .5rem 0 .25rem; overflow-wrap: anywhere; }
  h2 { font-size: 1.25rem; margin: 1.75rem 0 .5rem; }
  h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
  p, li { color: #dedee3; }
  a { color: #bf94ff; }
  code { padding: .1rem .3rem; border-radius: .25rem; background: #26262c; font-size: .9em; overflow-wrap: anywhere; }
  section { margin-top: 1rem; padding: 1rem; border-radius: .75rem; background: #18181b; }
  .status { display: inline-block; padding: .1rem .5rem; border-radius: 1rem; background: #26262c; font-size: .85rem; }
  .rules { white-space: pre-wrap; overflow-wrap: anywhere; padding: .5rem .75rem; border-left: 3px solid #9146ff; background: #1f1f23; }
  .disclaimer { border-top: 4px solid #f0b400; }
  .note { color: #adadb8; font-size: .9rem; }
  ol.draws { list-style: none; margin: 0; padding: 0; }
  ol.draws > li { margin: .75rem 0; padding: .75rem; border-radius: .5rem; background: #1f1f23; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .75rem; margin: .5rem 0; }
  dt { color: #adadb8; }
  dd { margin: 0; overflow-wrap: anywhere; }
  button.verify { padding: .5rem 1rem; border: 0; border-radius: .4rem; background: #9146ff; color: #fff;
    font: inherit; font-weight: 600; cursor: pointer; min-height: 2.75rem; }
  button.verify:hover, button.verify:focus-visible { background: #772ce8; }
  button.verify:focus-visible { outline: 2px solid #fff; outline-offset: 2px; }
  .result { margin: .5rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  .result.ok { color: #00e08f; }
  .result.bad { color: #ff6b6b; }
  .brand { margin: 2rem 0 1rem; font-size: .85rem; color: #adadb8; text-align: center; }
`,
    body: `<main>
  <h1>${escapeHtml(texts.heading(raffle.channelLogin))}</h1>
  <p><span class="status">${escapeHtml(texts.status[raffle.status])}</span></p>
  <section class="disclaimer" aria-labelledby="disclaimer-text">
    <p id="disclaimer-text">${escapeHtml(texts.disclaimer(raffle.channelLogin))}</p>
    ${disclaimerOriginal}
  </section>
  <section aria-labelledby="rules-heading">
    <h2 id="rules-heading">${escapeHtml(texts.rulesHeading)}</h2>
    ${versioned ? `<p class="note">${escapeHtml(texts.termsChangedNote)}</p>` : ""}
    ${rulesText}
  </section>
  <section aria-labelledby="fairness-heading">
    <h2 id="fairness-heading">${escapeHtml(texts.fairnessHeading)}</h2>
    ${texts.fairnessParagraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join("\n    ")}
    <p><a href="${fairnessDocPath}" hreflang="en">${escapeHtml(texts.fairnessDocLink)}</a></p>
    <h3>${escapeHtml(texts.notCoveredHeading)}</h3>
    ${texts.notCoveredParagraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join("\n    ")}
  </section>
  <section aria-labelledby="draws-heading">
    <h2 id="draws-heading">${escapeHtml(texts.drawsHeading)}</h2>
    ${truncated}
    ${drawList}
  </section>
  <section aria-labelledby="downloads-heading">
    <h2 id="downloads-heading">${escapeHtml(texts.downloadsHeading)}</h2>
    <ul>
      <li><a href="${escapeHtml(recordPath)}.json">${escapeHtml(texts.downloadJson)}</a></li>
      <li><a href="${escapeHtml(recordPath)}.csv">${escapeHtml(texts.downloadCsv)}</a></li>
    </ul>
    <p>${escapeHtml(texts.verifyCommand)} <code>npm run verify -- &lt;URL&gt;.json</code></p>
  </section>
  <p class="brand">LiveLoot · ${channel}</p>
</main>
<script type="application/json" id="verify-data">${serializeForScriptBlock(pageData)}</script>
<script src="${verifyScriptPath}" defer></script>
`,
  });
}

/** The raffle's versions of its terms, oldest first; a raffle read without any shows its own columns. */
function listTerms(raffle: PublicRaffle): PublicTerms[] {
  if (raffle.terms.length > 0) return raffle.terms;
  const { channelLogin, everyMinutes, cooldownMinutes, luck, rules, gates } = raffle;
  return [{ version: 1, channelLogin, everyMinutes, cooldownMinutes, luck, rules, gates }];
}

/** One version of the terms: the channel, the interval, the cooldown, luck, the gates, the streamer's rules. */
function renderTerms(
  terms: PublicTerms,
  locale: Locale,
  texts: ReturnType<typeof readRaffleTexts>,
  rulesHeading: "h3" | "h4",
): string {
  const rules =
    terms.rules === null
      ? ""
      : `<${rulesHeading}>${escapeHtml(texts.streamerRulesHeading)}</${rulesHeading}><p class="rules">${escapeHtml(terms.rules)}</p>`;
  return `<ul>
      <li>${escapeHtml(texts.termsChannel(terms.channelLogin))}</li>
      <li>${escapeHtml(texts.every(terms.everyMinutes))}</li>
      <li>${escapeHtml(texts.cooldown(terms.cooldownMinutes))}</li>
      <li>${escapeHtml(terms.luck ? texts.luckOn : texts.luckOff)}</li>
      <li>${escapeHtml(listGates(terms.gates).length === 0 ? texts.gatesNone : texts.gates(describeGates(locale, terms.gates)))}</li>
    </ul>
    ${rules}`;
}

function renderDraw(draw: PublicDraw, texts: ReturnType<typeof readRaffleTexts>, versioned: boolean): string {
  const anchor = draw.drawNumber === null ? "" : ` id="draw-${draw.drawNumber}"`;
  const label = `${texts.drawLabel(draw.drawNumber)}${draw.kind === "manual" ? ` (${texts.manualDraw})` : ""}`;
  const proof = draw.proof;
  const roundCell =
    proof === null
      ? ""
      : `<dt>${escapeHtml(texts.round)}</dt><dd>${escapeHtml(proof.round === null ? texts.notVerifiable : String(proof.round))}</dd>`;
  const verify =
    proof === null
      ? `<p class="note">${escapeHtml(texts.legacyDraw)}</p>`
      : `<button type="button" class="verify" data-slot="${escapeHtml(proof.slotLabel)}" data-draw="${draw.drawNumber ?? ""}" aria-describedby="result-${escapeHtml(proof.slotLabel)}">${escapeHtml(texts.verifyButton)}</button>
      <div class="result" id="result-${escapeHtml(proof.slotLabel)}" role="status" aria-live="polite"></div>`;
  return `
    <li${anchor}>
      <h3>${escapeHtml(label)}</h3>
      <dl>
        <dt>${escapeHtml(texts.time)}</dt><dd><time datetime="${escapeHtml(draw.slotAt)}">${escapeHtml(formatUtcTime(draw.slotAt))}</time></dd>
        <dt>${escapeHtml(texts.winner)}</dt><dd>${escapeHtml(draw.winnerDisplayName)}</dd>
        <dt>${escapeHtml(texts.item)}</dt><dd>${escapeHtml(draw.itemName)}</dd>
        <dt>${escapeHtml(texts.channel)}</dt><dd>${escapeHtml(draw.channelLogin)}</dd>
        ${versioned ? `<dt>${escapeHtml(texts.rulesHeading)}</dt><dd><a href="#terms-${draw.termsVersion}">${escapeHtml(texts.termsVersion(draw.termsVersion))}</a></dd>` : ""}
        <dt>${escapeHtml(texts.entrants)}</dt><dd>${draw.entrantCount}</dd>
        ${roundCell}${renderClaims(draw, texts)}
      </dl>
      ${verify}
    </li>`;
}

/** The first winner's claim status, then each redraw's winner and status; never a code. */
function renderClaims(draw: PublicDraw, texts: ReturnType<typeof readRaffleTexts>): string {
  return draw.claims
    .map((claim, index) => {
      const redrawn = claim.status === "expired" && index < draw.claims.length - 1;
      const status = escapeHtml(texts.claimStatus[redrawn ? "redrawn" : claim.status]);
      return claim.n === 0
        ? `<dt>${escapeHtml(texts.claim)}</dt><dd>${status}</dd>`
        : `<dt>${escapeHtml(texts.redrawLabel(claim.n))}</dt><dd>${escapeHtml(claim.winnerDisplayName)} — ${status}</dd>`;
    })
    .join("");
}

/** `2026-11-30T08:34:05.123Z` as `2026-11-30 08:34:05`. */
function formatUtcTime(iso: string): string {
  return iso.slice(0, 19).replace("T", " ");
}

/** JSON safe inside a `<script>` data block: no `<` can close it or open a comment. */
function serializeForScriptBlock(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

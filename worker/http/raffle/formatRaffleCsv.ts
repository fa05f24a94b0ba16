import type { PublicRaffle } from "../../db/publicRaffle";

const header = [
  "time",
  "draw_number",
  "slot",
  "round",
  "winner_login",
  "winner_display_name",
  "item_name",
  "entrants",
  "entrants_sha256",
  "items_sha256",
  "randomness",
  "channel",
  "terms_version",
  "rules",
];

/**
 * `/r/{raffle}.csv`: one row per `liveloot/v1` draw, oldest first, with a header; RFC 4180
 * quoting and CRLF line ends. A null round is an empty cell, and so are no rules. Each row carries
 * the terms it was drawn under (channel, version, the streamer's rules), so a sheet read alone
 * shows them.
 */
export function formatRaffleCsv(raffle: PublicRaffle): string {
  const rows = [header];
  const termsByVersion = new Map(raffle.terms.map((terms) => [terms.version, terms]));
  for (const draw of raffle.draws) {
    const proof = draw.proof;
    if (proof === null) continue;
    rows.push([
      draw.slotAt,
      draw.drawNumber === null ? "" : String(draw.drawNumber),
      proof.slotLabel,
      proof.round === null ? "" : String(proof.round),
      draw.winnerLogin,
      draw.winnerDisplayName,
      draw.itemName,
      String(draw.entrantCount),
      proof.entrantsSha256,
      proof.itemsSha256,
      proof.randomness,
      draw.channelLogin,
      String(draw.termsVersion),
      termsByVersion.get(draw.termsVersion)?.rules ?? "",
    ]);
  }
  return rows.map((row) => `${row.map(formatCsvCell).join(",")}\r\n`).join("");
}

/**
 * One cell: text a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage
 * return before one) gets a leading apostrophe; then quoted when it holds a comma, a quote or a
 * line break (RFC 4180: quotes doubled).
 */
export function formatCsvCell(value: string): string {
  const neutralised = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(neutralised) ? `"${neutralised.replace(/"/g, '""')}"` : neutralised;
}

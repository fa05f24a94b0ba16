import { verifyKey } from "discord-interactions";
import { HttpError } from "../errors";
import { readBoundedBody } from "../lib/readBoundedBody";

/** Discord's own replay window: a signed request more than 5 minutes from now is refused. */
const maximumClockSkewSeconds = 5 * 60;

/**
 * The largest interaction body read, in bytes. Discord publishes no maximum; LiveLoot's slash
 * commands and autocompletes arrive at 2–6 KB (member with up to 250 role ids, guild features,
 * entitlements, a few options), and the largest interactions Discord sends at all (a message
 * command whose resolved message carries 2,000 characters of content and 6,000 of embeds)
 * stay near 30 KB. 64 KiB leaves room for both; anything larger is refused with 413.
 */
export const maximumInteractionBytes = 64 * 1024;

/**
 * Checks the Ed25519 signature over `timestamp + raw body` and the timestamp's freshness.
 * Returns the raw body on success; anything else is a 401, as Discord's security checks expect,
 * except a body over `maximumInteractionBytes`: a 413, before it is read.
 */
export async function verifyDiscordRequest(
  request: Request,
  publicKey: string,
  nowMilliseconds: number,
): Promise<string> {
  const signature = request.headers.get("x-signature-ed25519");
  const timestamp = request.headers.get("x-signature-timestamp");
  const body = await readBoundedBody(request, maximumInteractionBytes);
  if (!signature || !timestamp) throw new HttpError(401, "Missing request signature.");
  if (!/^\d{1,12}$/.test(timestamp)) throw new HttpError(401, "Bad request timestamp.");
  if (Math.abs(nowMilliseconds / 1000 - Number(timestamp)) > maximumClockSkewSeconds) {
    throw new HttpError(401, "Request timestamp is too far from now.");
  }
  // verifyKey is async since discord-interactions v4: without `await` every request would pass.
  const valid = await verifyKey(body, signature, timestamp, publicKey);
  if (!valid) throw new HttpError(401, "Bad request signature.");
  return body;
}

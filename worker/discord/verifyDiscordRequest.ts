import { verifyKey } from "discord-interactions";
import { HttpError } from "../errors";

/** Discord's own replay window: a signed request more than 5 minutes from now is refused. */
const maximumClockSkewSeconds = 5 * 60;

/**
 * Checks the Ed25519 signature over `timestamp + raw body` and the timestamp's freshness.
 * Returns the raw body on success; anything else is a 401, as Discord's security checks expect.
 */
export async function verifyDiscordRequest(
  request: Request,
  publicKey: string,
  nowMilliseconds: number,
): Promise<string> {
  const signature = request.headers.get("x-signature-ed25519");
  const timestamp = request.headers.get("x-signature-timestamp");
  const body = await request.text();
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

import { signBody } from "../../test/support/worker/signInteraction";

export interface InteractionAnswer {
  status: number;
  /** The parsed JSON answer, or undefined when it was not JSON. */
  body: unknown;
  text: string;
}

/**
 * POSTs the interaction to the Worker exactly as Discord does: the raw JSON body, signed with
 * Ed25519 over `timestamp + body` (the dev application's key is the test key).
 */
export async function sendInteraction(
  workerUrl: string,
  payload: unknown,
  /** Discord's clock: `npm run dev` passes the simulated one, which the Worker follows too. */
  now: number = Date.now(),
): Promise<InteractionAnswer> {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(now / 1000));
  const response = await fetch(new URL("/interactions", workerUrl), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "Discord-Interactions/1.0 (+https://discord.com)",
      "x-signature-ed25519": await signBody(body, timestamp),
      "x-signature-timestamp": timestamp,
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}

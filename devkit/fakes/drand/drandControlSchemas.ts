// No Node imports: shared by the drand fake's server and its control client (Node and workerd).
import { z } from "zod";

/** `GET /{hash}/info`, as drand relays answer it. */
export const drandChainInfoSchema = z.object({
  public_key: z.string(),
  period: z.number().int(),
  genesis_time: z.number().int(),
  hash: z.string(),
  groupHash: z.string(),
  schemeID: z.string(),
  metadata: z.object({ beaconID: z.string() }),
});
export type DrandChainInfoJson = z.infer<typeof drandChainInfoSchema>;

/** `GET /{hash}/public/{round}`: an unchained beacon (no `previous_signature`). */
export const drandBeaconSchema = z.object({
  round: z.number().int(),
  randomness: z.string(),
  signature: z.string(),
});
export type DrandBeaconJson = z.infer<typeof drandBeaconSchema>;

/** `GET`/`PUT /_control/clock`: the fake's clock is the real one (or its `now` option) plus an offset. */
export const drandClockInputSchema = z.object({ offsetMilliseconds: z.number().int() });

export const drandClockSchema = z.object({
  now: z.number(),
  offsetMilliseconds: z.number().int(),
  /** The newest published round; 0 before genesis. */
  latestRound: z.number().int(),
});
export type DrandClock = z.infer<typeof drandClockSchema>;

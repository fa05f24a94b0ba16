// No Node imports (here or in what this imports): Worker tests use this client from inside workerd.
import {
  type DrandBeaconJson,
  type DrandChainInfoJson,
  type DrandClock,
  drandBeaconSchema,
  drandChainInfoSchema,
  drandClockSchema,
} from "./drand/drandControlSchemas";
import { FakeControlClient } from "./shared/FakeControlClient";

export type * from "./drand/drandControlSchemas";

/** Typed client of the drand fake's control API (`<url>/_control/…`). */
export class DrandControl extends FakeControlClient {
  /** The fake chain's `/info`: its hash, public key, genesis and period. */
  async readChainInfo(): Promise<DrandChainInfoJson> {
    return this.requestJson("GET", "/_control/chain", undefined, drandChainInfoSchema);
  }

  /** Round `round`, signed, even before its time (the API answers 404 until then). */
  async readRound(round: number): Promise<DrandBeaconJson> {
    return this.requestJson("GET", `/_control/rounds/${round}`, undefined, drandBeaconSchema);
  }

  async readClock(): Promise<DrandClock> {
    return this.requestJson("GET", "/_control/clock", undefined, drandClockSchema);
  }

  /** Moves the fake's clock (global, like latency: for `npm run dev` and benchmarks, not parallel tests). */
  async setClockOffset(offsetMilliseconds: number): Promise<DrandClock> {
    return this.requestJson("PUT", "/_control/clock", { offsetMilliseconds }, drandClockSchema);
  }

  /**
   * Makes the next `times` round requests hang for `delayMilliseconds` (an unreachable beacon:
   * the Worker's 20-second fallback), or answer `status` if given.
   */
  async makeUnreachable(options: { times?: number; delayMilliseconds?: number; status?: number } = {}) {
    return this.injectFailure({
      method: "GET",
      path: "/*/public/*",
      times: options.times ?? 1,
      delayMilliseconds: options.delayMilliseconds ?? 25_000,
      ...(options.status === undefined ? {} : { status: options.status }),
    });
  }
}

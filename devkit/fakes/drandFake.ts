import { createDrandFailureResponse } from "./drand/createDrandFailureResponse";
import { type DrandFakeOptions, DrandState } from "./drand/DrandState";
import { createDrandControlRoutes } from "./drand/drandControlRoutes";
import { createDrandTextResponse } from "./drand/drandErrors";
import { createDrandRoutes } from "./drand/drandRoutes";
import { startFakeServer } from "./shared/startFakeServer";

export type { DrandFakeOptions } from "./drand/DrandState";

/** A running drand fake: point `DRAND_API_BASE_URL` at `url`, `DRAND_CHAIN_HASH`/`DRAND_PUBLIC_KEY` at its chain. */
export interface DrandFake {
  url: string;
  chainHash: string;
  publicKey: string;
  /** The same state the control API changes, for Node tests and `npm run dev`. */
  state: DrandState;
  stop(): Promise<void>;
}

/** Starts the drand beacon fake as an HTTP server on 127.0.0.1. */
export async function startDrandFake(options: DrandFakeOptions = {}): Promise<DrandFake> {
  const state = new DrandState(options);
  const server = await startFakeServer({
    name: "drand",
    port: options.port ?? 0,
    apiRoutes: createDrandRoutes(state),
    controlRoutes: createDrandControlRoutes(state),
    createFailureResponse: createDrandFailureResponse,
    createUnexpectedCallResponse: (explanation) => createDrandTextResponse(404, explanation),
    findSecretPathSegments: () => [],
    resetState: () => state.reset(),
  });
  return { url: server.url, chainHash: state.chainHash, publicKey: state.info.public_key, state, stop: server.stop };
}

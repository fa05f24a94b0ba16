import { join } from "node:path";
import { devFixtures } from "../../scripts/dev/devFixtures";
import { repositoryRoot } from "../../scripts/dev/startDevStack";
import {
  type PlaygroundServer,
  type PlaygroundServerOptions,
  startPlaygroundServer,
} from "../../scripts/dev/startPlaygroundServer";

/**
 * The playground server on a free port with the dev fixtures' Discord application, server and
 * channels; the test brings the fakes, the clock, the ticker and the Worker (or a stand-in).
 */
export function startTestPlayground(
  options: Pick<PlaygroundServerOptions, "workerUrl" | "twitch" | "discord" | "clock" | "ticker"> &
    Partial<Pick<PlaygroundServerOptions, "commands">>,
): Promise<PlaygroundServer> {
  return startPlaygroundServer({
    port: 0,
    playgroundDirectory: join(repositoryRoot, "playground"),
    commands: [],
    applicationId: devFixtures.credentials.discordApplicationId,
    guild: devFixtures.guild,
    channels: devFixtures.channels,
    ...options,
  });
}

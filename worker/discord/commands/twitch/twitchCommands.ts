import { defineCommandGroup } from "../CommandGroup";
import { connect } from "./connect";
import { disconnect } from "./disconnect";
import { status } from "./status";

/** /twitch: the server's link to a Twitch channel. */
export const twitchCommands = defineCommandGroup("twitch", [connect, status, disconnect]);

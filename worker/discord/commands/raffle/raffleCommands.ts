import { defineCommandGroup } from "../CommandGroup";
import { draw } from "./draw";
import { exclude } from "./exclude";
import { exportRaffle } from "./export";
import { history } from "./history";
import { include } from "./include";
import { leaderboard } from "./leaderboard";
import { points } from "./points";
import { start } from "./start";
import { status } from "./status";
import { stop } from "./stop";

/** /raffle: the stream raffle, its winners and its odds. */
export const raffleCommands = defineCommandGroup("raffle", [
  start,
  stop,
  status,
  draw,
  history,
  exclude,
  include,
  leaderboard,
  points,
  exportRaffle,
]);

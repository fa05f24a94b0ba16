import { activeRaffleChannelHoldStatement, type ChannelHoldState, mapChannelHold } from "./channelHolds";
import type { Queryable } from "./Database";
import { mapRaffleStatistics, type RaffleStatistics, raffleStatisticsStatement } from "./raffleStatistics";
import { activeRaffleDetailsStatement, mapActiveRaffleDetails, type RaffleDetails } from "./raffles";
import { activeRaffleLeadersStatement, type LeaderboardEntry, mapLeaderboard } from "./viewerPoints";

/**
 * Everything /raffle status shows from the database, in one round trip: the guild's running or
 * paused raffle, its figures, (when it runs with luck) the top of its leaderboard, and the hold
 * on its channel when Discord refused it.
 */
export async function readRaffleStatus(
  database: Queryable,
  guildId: string,
  leaderCount: number,
): Promise<
  | {
      raffle: RaffleDetails;
      statistics: RaffleStatistics;
      leaders: LeaderboardEntry[];
      channelHold: ChannelHoldState | undefined;
    }
  | undefined
> {
  const [raffleRows = [], statisticsRows = [], leaderRows = [], holdRows = []] = await database.batch([
    activeRaffleDetailsStatement(guildId),
    raffleStatisticsStatement(guildId),
    activeRaffleLeadersStatement(guildId, leaderCount),
    activeRaffleChannelHoldStatement(guildId),
  ]);
  const raffle = mapActiveRaffleDetails(raffleRows);
  if (!raffle) return undefined;
  return {
    raffle,
    statistics: mapRaffleStatistics(statisticsRows),
    leaders: mapLeaderboard(leaderRows),
    channelHold: mapChannelHold(holdRows),
  };
}

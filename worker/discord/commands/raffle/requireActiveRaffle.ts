import { findActiveRaffleDetails, type RaffleDetails } from "../../../db/raffles";
import { type Invocation, UserFacingError } from "../CommandGroup";

/** The guild's running or paused raffle; without one, the command answers "no raffle is running". */
export async function requireActiveRaffle(invocation: Invocation): Promise<RaffleDetails> {
  const raffle = await findActiveRaffleDetails(invocation.app.database, invocation.guildId);
  if (!raffle) throw new UserFacingError("raffleNoneActive");
  return raffle;
}

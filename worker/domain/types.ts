// Shapes shared by the database layer and the raffle domain. They live here, not in raffle/,
// so db/ depends on nothing above it: db/ and raffle/ both import from domain/.

/** One item of a `/loot import` list (or a `/loot add`), as insert_items takes it. */
export interface LootEntry {
  name: string;
  weight: number;
  /** null = unlimited */
  stock: number | null;
}

/** A committed draw whose winner is still to be posted in the raffle's Discord channel. */
export interface Announcement {
  drawId: string;
  /** The draw's own raffle: a channel found gone pauses this one, never a newer raffle. */
  raffleId: string;
  guildId: string;
  channelId: string;
  winnerDisplayName: string;
  winnerLogin: string;
  itemName: string;
  slotAt: number;
  drawNumber: number | undefined;
  attempts: number;
}

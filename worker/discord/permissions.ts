export const Permission = {
  administrator: 1n << 3n,
  manageGuild: 1n << 5n,
} as const;

/** Discord sends permission bitfields as decimal strings; they exceed 2^53, hence BigInt. */
export function parsePermissions(bitfield: string | undefined): bigint {
  if (!bitfield || !/^\d+$/.test(bitfield)) return 0n;
  return BigInt(bitfield);
}

export function canManageGuild(permissions: bigint): boolean {
  return (permissions & Permission.administrator) !== 0n || (permissions & Permission.manageGuild) !== 0n;
}

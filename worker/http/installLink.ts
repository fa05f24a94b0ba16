/** VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS: enough to post winner embeds, nothing more. */
export const botPermissions = (1n << 10n) | (1n << 11n) | (1n << 14n);

/** The Discord guild-install link: bot user plus slash commands. */
export function buildInstallLink(applicationId: string): string {
  const url = new URL("https://discord.com/oauth2/authorize");
  url.searchParams.set("client_id", applicationId);
  url.searchParams.set("scope", "bot applications.commands");
  url.searchParams.set("permissions", botPermissions.toString());
  url.searchParams.set("integration_type", "0");
  return url.toString();
}

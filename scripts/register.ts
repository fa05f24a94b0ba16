import { parseArgs } from "node:util";
import { listCommandDefinitions } from "../worker/discord/commands/registry";
import { DiscordApiError, putApplicationCommands } from "../worker/discord/DiscordRestClient";
import { DeployError, devVarsFileName, parseDeployEnvironment, readEnvironmentSettings } from "./deploy";
import { isRunAsScript } from "./isRunAsScript";

export interface RegisterOptions {
  applicationId: string;
  botToken: string;
  apiBaseUrl: string;
  guildId?: string | undefined;
}

export async function registerCommands(options: RegisterOptions): Promise<string[]> {
  const definitions = listCommandDefinitions();
  await putApplicationCommands(
    { discordApiBaseUrl: options.apiBaseUrl.replace(/\/+$/, ""), discordBotToken: options.botToken },
    options.applicationId,
    definitions,
    options.guildId,
  );
  return definitions.map((definition) => definition.name);
}

async function main(): Promise<void> {
  // --env names a wrangler.toml environment: its own Discord application (or at least its own
  // registration), read from the process environment or `.dev.vars.<env>` as `npm run deploy` does.
  const { values } = parseArgs({ options: { guild: { type: "string" }, env: { type: "string", short: "e" } } });
  let environment: ReturnType<typeof parseDeployEnvironment>;
  try {
    environment = parseDeployEnvironment(values.env);
  } catch (error) {
    if (!(error instanceof DeployError)) throw error;
    console.error(`register: ${error.message}`);
    process.exit(1);
  }
  const settings = await readEnvironmentSettings(environment);
  const setting = (name: string): string | undefined => settings.read(name);
  const applicationId = setting("DISCORD_APPLICATION_ID");
  const botToken = setting("DISCORD_BOT_TOKEN");
  if (!applicationId || !botToken) {
    console.error(
      `DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN must be set${environment ? ` for ${environment}` : ""} (environment or ${devVarsFileName(environment)}).`,
    );
    process.exit(1);
  }
  if (values.guild !== undefined && !/^\d{1,21}$/.test(values.guild)) {
    console.error(`--guild must be a Discord guild id (digits), not "${values.guild}".`);
    process.exit(1);
  }
  try {
    const names = await registerCommands({
      applicationId,
      botToken,
      apiBaseUrl: setting("DISCORD_API_BASE_URL") ?? "https://discord.com/api/v10",
      guildId: values.guild,
    });
    const where = values.guild
      ? `in guild ${values.guild}`
      : "globally (clients may take up to an hour to see changes)";
    const forEnvironment = environment ? ` for ${environment}` : "";
    console.log(
      `Registered ${names.length} commands${forEnvironment} ${where}: ${names.map((name) => `/${name}`).join(", ")}`,
    );
  } catch (error) {
    if (error instanceof DiscordApiError) {
      console.error(`Discord refused the commands (${error.status}): ${error.body.slice(0, 2000)}`);
    } else {
      console.error(`Could not register commands: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(1);
  }
}

if (isRunAsScript(import.meta.url)) await main();

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscordControl } from "../../../devkit/fakes/discordControl";
import { type DiscordFake, startDiscordFake } from "../../../devkit/fakes/discordFake";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..", "..");
const applicationId = "100000000000000777";
const botToken = "register-test-bot-token";

let fake: DiscordFake;
let control: DiscordControl;

beforeAll(async () => {
  fake = await startDiscordFake({ applicationId, botToken });
  control = new DiscordControl(fake.url);
});
afterAll(() => fake.stop());

function runRegister(args: string[], environment: Record<string, string> = {}) {
  return run(process.execPath, [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/register.ts", ...args], {
    cwd: root,
    env: {
      ...process.env,
      DISCORD_APPLICATION_ID: applicationId,
      DISCORD_BOT_TOKEN: botToken,
      DISCORD_API_BASE_URL: `${fake.url}/api/v10`,
      ...environment,
    },
  });
}

describe("npm run register", () => {
  it("bulk-overwrites all four commands in one guild, with pt-BR localizations", async () => {
    const { stdout } = await runRegister(["--guild", "123"]);
    expect(stdout).toContain("Registered 4 commands in guild 123");
    expect(stdout).not.toContain(botToken);
    const commands = await control.listCommands(applicationId, "123");
    expect(commands.map((command) => command.name).sort()).toEqual(["loot", "overlay", "raffle", "twitch"]);
    const raffle = commands.find((command) => command.name === "raffle") as {
      name_localizations: Record<string, string>;
      default_member_permissions: string;
      options: { name: string; name_localizations: Record<string, string> }[];
    };
    expect(raffle.name_localizations["pt-BR"]).toBe("sorteio");
    expect(raffle.default_member_permissions).toBe("32");
    expect(raffle.options.map((option) => option.name)).toEqual([
      "start",
      "stop",
      "status",
      "draw",
      "history",
      "exclude",
      "include",
      "leaderboard",
      "points",
      "export",
    ]);
    expect(raffle.options.every((option) => Boolean(option.name_localizations["pt-BR"]))).toBe(true);
    const calls = await control.listCalls({ method: "PUT" });
    expect(calls.at(-1)?.path).toBe(`/api/v10/applications/${applicationId}/guilds/123/commands`);
  });

  it("registers globally without --guild", async () => {
    await runRegister([]);
    const commands = await control.listCommands(applicationId);
    expect(commands).toHaveLength(4);
  });

  it("registers a wrangler.toml environment's commands with --env, and refuses an unknown one", async () => {
    const { stdout } = await runRegister(["--env", "staging", "--guild", "456"]);
    expect(stdout).toContain("Registered 4 commands for staging in guild 456");
    expect(await control.listCommands(applicationId, "456")).toHaveLength(4);

    const failure = await runRegister(["--env", "nope", "--guild", "789"]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('unknown environment "nope": wrangler.toml defines staging and production');
    expect(await control.listCommands(applicationId, "789")).toEqual([]);
  });

  it("fails clearly, without printing the token, when the bot token is wrong", async () => {
    const failure = await runRegister(["--guild", "123"], { DISCORD_BOT_TOKEN: "wrong-token-value" }).then(
      () => undefined,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("Discord refused the commands (401)");
    expect(`${failure?.stderr}${failure?.stdout}`).not.toContain("wrong-token-value");
  });
});

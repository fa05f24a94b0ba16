import type { MessageKey } from "./en-US";
import { type Locale, translate } from "./translate";

/**
 * Every command, subcommand and option with texts in the catalogues (en-US.ts, pt-BR.ts):
 * `command.<key>.name` and `command.<key>.description`, e.g. `raffle`, `raffle.start`,
 * `option.every`. Discord shows the localized ones; interactions always arrive with the English
 * base names.
 */
export type CommandTextKey = CommandTextOf<MessageKey>;

/** Distributes over the union of message keys: the texts key of each that has both texts. */
type CommandTextOf<Key> = Key extends `command.${infer Text}.description`
  ? `command.${Text}.name` extends MessageKey
    ? Text
    : never
  : never;

/**
 * Discord's name/description fields with their pt-BR localizations. A description may state an
 * option's range as `{minimum}`, `{maximum}` and `{default}`: `describe` gives those numbers as each
 * language writes them (from the option's limit in discord/commands/optionLimits.ts).
 */
export function localizeCommandText(
  key: CommandTextKey,
  describe: (locale: Locale) => Record<string, string> = () => ({}),
) {
  const name = (locale: Locale) => translate(locale, `command.${key}.name`);
  const description = (locale: Locale) => translate(locale, `command.${key}.description`, describe(locale));
  const english = description("en-US");
  return {
    name: name("en-US"),
    name_localizations: { "pt-BR": name("pt-BR") },
    description: english,
    description_localizations: { "en-US": english, "pt-BR": description("pt-BR") },
  };
}

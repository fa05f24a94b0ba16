import { englishMessages, type MessageKey } from "./en-US";
import { portugueseMessages } from "./pt-BR";

export type Locale = "en-US" | "pt-BR";
export type { MessageKey };

const catalogs: Record<Locale, Record<MessageKey, string>> = {
  "en-US": englishMessages,
  "pt-BR": portugueseMessages,
};

/** Discord locales map onto the languages we ship; everything else falls back to en-US. */
export function resolveLocale(locale: string | null | undefined): Locale {
  if (locale?.toLowerCase().startsWith("pt")) return "pt-BR";
  return "en-US";
}

/** Looks a message up and fills `{name}` placeholders. */
export function translate(locale: Locale, key: MessageKey, parameters: Record<string, string | number> = {}): string {
  const template = catalogs[locale][key];
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in parameters ? String(parameters[name]) : placeholder,
  );
}

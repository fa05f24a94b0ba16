import type { Locale } from "./translate";

/**
 * Names and descriptions of every slash command and option, in en-US and pt-BR. Discord
 * shows the localized ones; interactions always arrive with the English base names.
 */
type Text = { name: [english: string, portuguese: string]; description: [english: string, portuguese: string] };

export const commandTexts = {
  twitch: { name: ["twitch", "twitch"], description: ["Link your Twitch channel", "Vincule seu canal da Twitch"] },
  "twitch.connect": {
    name: ["connect", "conectar"],
    description: ["Link a Twitch account to this server", "Vincule uma conta da Twitch a este servidor"],
  },
  "twitch.status": {
    name: ["status", "status"],
    description: ["Show the linked Twitch account", "Mostre a conta da Twitch vinculada"],
  },
  "twitch.disconnect": {
    name: ["disconnect", "desconectar"],
    description: ["Unlink Twitch and stop raffles", "Desvincule a Twitch e pare os sorteios"],
  },
  loot: { name: ["loot", "itens"], description: ["Manage the loot table", "Gerencie a tabela de prêmios"] },
  "loot.add": {
    name: ["add", "adicionar"],
    description: ["Add or update a loot item", "Adicione ou atualize um prêmio"],
  },
  "loot.import": {
    name: ["import", "importar"],
    description: ["Add or update many items at once", "Adicione ou atualize vários prêmios de uma vez"],
  },
  "loot.export": {
    name: ["export", "exportar"],
    description: [
      "The loot table as a CSV file, to import in another server",
      "A tabela de prêmios como arquivo CSV, para importar em outro servidor",
    ],
  },
  "loot.remove": { name: ["remove", "remover"], description: ["Remove a loot item", "Remova um prêmio"] },
  "loot.list": {
    name: ["list", "listar"],
    description: ["Show the loot table and chances", "Mostre a tabela de prêmios e as chances"],
  },
  "option.name": { name: ["name", "nome"], description: ["Item name", "Nome do prêmio"] },
  "option.weight": {
    name: ["weight", "peso"],
    description: ["Relative chance ({minimum} to {maximum})", "Chance relativa ({minimum} a {maximum})"],
  },
  "option.stock": {
    name: ["stock", "estoque"],
    description: ["How many can be won (empty = unlimited)", "Quantos podem ser ganhos (vazio = ilimitado)"],
  },
  "option.file": {
    name: ["file", "arquivo"],
    description: [
      "Items: .csv (name,weight,stock) or .json, up to 500. Codes: .txt or .csv, one per line",
      "Itens: .csv (name,weight,stock) ou .json, até 500. Códigos: .txt ou .csv, um por linha",
    ],
  },
  "option.items": {
    name: ["items", "itens"],
    description: [
      "Items like Sword:10, Shield:5x3 (name:weight, xStock)",
      "Itens como Espada:10, Escudo:5x3 (nome:peso, xEstoque)",
    ],
  },
  raffle: { name: ["raffle", "sorteio"], description: ["Run the stream raffle", "Controle o sorteio da live"] },
  "raffle.start": {
    name: ["start", "iniciar"],
    description: ["Start drawing winners while you are live", "Comece a sortear enquanto você estiver ao vivo"],
  },
  "raffle.stop": { name: ["stop", "parar"], description: ["Stop the raffle", "Pare o sorteio"] },
  "raffle.status": {
    name: ["status", "status"],
    description: ["Show the raffle's state", "Mostre o estado do sorteio"],
  },
  "raffle.draw": {
    name: ["draw", "sortear"],
    description: ["Draw one winner now", "Sorteie um ganhador agora"],
  },
  "raffle.history": {
    name: ["history", "historico"],
    description: ["Past winners, newest first", "Ganhadores anteriores, mais recentes primeiro"],
  },
  "raffle.exclude": {
    name: ["exclude", "excluir"],
    description: ["Never let a Twitch user win", "Impeça um usuário da Twitch de ganhar"],
  },
  "raffle.include": {
    name: ["include", "incluir"],
    description: ["Let an excluded Twitch user win again", "Permita que um usuário excluído volte a ganhar"],
  },
  "raffle.leaderboard": {
    name: ["leaderboard", "ranking"],
    description: ["Most active viewers (activity points)", "Espectadores mais ativos (pontos de atividade)"],
  },
  "raffle.points": {
    name: ["points", "pontos"],
    description: [
      "Show or set the activity points each event earns",
      "Mostre ou defina os pontos de atividade de cada evento",
    ],
  },
  "raffle.export": {
    name: ["export", "exportar"],
    description: [
      "Links to the raffle's public page, JSON and CSV",
      "Links para a página pública do sorteio, JSON e CSV",
    ],
  },
  "option.follow": {
    name: ["follow", "follow"],
    description: ["Points for a follow ({minimum} to {maximum})", "Pontos por follow ({minimum} a {maximum})"],
  },
  "option.subscribe": {
    name: ["subscribe", "inscricao"],
    description: ["Points for a subscription ({minimum} to {maximum})", "Pontos por inscrição ({minimum} a {maximum})"],
  },
  "option.gift": {
    name: ["gift", "presente"],
    description: [
      "Points per gifted sub, to the gifter ({minimum} to {maximum})",
      "Pontos por inscrição presenteada ({minimum} a {maximum})",
    ],
  },
  "option.cheer": {
    name: ["cheer", "bits"],
    description: ["Points per bit cheered ({minimum} to {maximum})", "Pontos por bit ({minimum} a {maximum})"],
  },
  "option.raid": {
    name: ["raid", "raid"],
    description: [
      "Points for the raiding broadcaster ({minimum} to {maximum})",
      "Pontos para quem faz a raid ({minimum} a {maximum})",
    ],
  },
  "option.luck": {
    name: ["luck", "sorte"],
    description: [
      "Active viewers get better odds: 1 + points/100, up to 5x (default off)",
      "Espectadores ativos têm mais chance: 1 + pontos/100, até 5x (padrão desligado)",
    ],
  },
  "option.announce_in_twitch": {
    name: ["announce_in_twitch", "anunciar_na_twitch"],
    description: [
      "Also announce winners in Twitch chat (default off)",
      "Anunciar também no chat da Twitch (padrão desligado)",
    ],
  },
  "option.channel": {
    name: ["channel", "canal"],
    description: ["Where winners are announced (default: here)", "Onde os ganhadores são anunciados (padrão: aqui)"],
  },
  "option.every": {
    name: ["every", "intervalo"],
    description: [
      "Minutes between draws ({minimum} to {maximum}, default {default})",
      "Minutos entre sorteios ({minimum} a {maximum}, padrão {default})",
    ],
  },
  "option.cooldown": {
    name: ["cooldown", "espera"],
    description: [
      "Minutes before a winner can win again ({minimum} to {maximum}, default {default})",
      "Minutos até um ganhador poder ganhar de novo ({minimum} a {maximum}, padrão {default})",
    ],
  },
  "option.rules": {
    name: ["rules", "regras"],
    description: [
      "Rules shown on the public raffle page (up to {maximum} characters)",
      "Regras exibidas na página pública do sorteio (até {maximum} caracteres)",
    ],
  },
  "option.page": { name: ["page", "pagina"], description: ["Page number", "Número da página"] },
  "option.user": { name: ["user", "usuario"], description: ["Twitch login", "Login da Twitch"] },
  // Claims: the code vault
  "loot.codes": {
    name: ["codes", "codigos"],
    description: [
      "Add prize codes to an item; only its winner sees one",
      "Adicione códigos de prêmio a um item; só quem ganhar vê um",
    ],
  },
  "option.codes": {
    name: ["codes", "codigos"],
    description: ["Codes, comma-separated (or attach a file)", "Códigos separados por vírgula (ou anexe um arquivo)"],
  },
  // Claims: the claim lifecycle
  "option.claim": {
    name: ["claim", "resgate"],
    description: [
      "Minutes a winner has to claim the prize before a redraw ({minimum} to {maximum})",
      "Minutos para o ganhador resgatar o prêmio antes de novo sorteio ({minimum} a {maximum})",
    ],
  },
  // Gates: who may win besides being in chat
  "option.followers_only": {
    name: ["followers_only", "so_seguidores"],
    description: [
      "Only followers of the channel may win (default off)",
      "Só seguidores do canal podem ganhar (padrão desligado)",
    ],
  },
  "option.min_follow_minutes": {
    name: ["min_follow_minutes", "minutos_seguindo"],
    description: [
      "Only viewers following for at least this many minutes ({minimum} to {maximum})",
      "Só quem segue há pelo menos estes minutos ({minimum} a {maximum})",
    ],
  },
  "option.subscribers_only": {
    name: ["subscribers_only", "so_inscritos"],
    description: [
      "Only subscribers of the channel may win (default off)",
      "Só inscritos do canal podem ganhar (padrão desligado)",
    ],
  },
  "option.min_account_days": {
    name: ["min_account_days", "dias_de_conta"],
    description: [
      "Only Twitch accounts at least this many days old ({minimum} to {maximum})",
      "Só contas da Twitch com pelo menos estes dias ({minimum} a {maximum})",
    ],
  },
  "option.active_minutes": {
    name: ["active_minutes", "minutos_ativo"],
    description: [
      "Only viewers who chatted in the last this many minutes ({minimum} to {maximum})",
      "Só quem falou no chat nos últimos estes minutos ({minimum} a {maximum})",
    ],
  },
  overlay: {
    name: ["overlay", "overlay"],
    description: [
      "Show the draws on stream: the OBS Browser Source URL",
      "Mostre os sorteios na live: a URL da fonte de Navegador do OBS",
    ],
  },
  "overlay.link": {
    name: ["link", "link"],
    description: ["The overlay URL for OBS", "A URL do overlay para o OBS"],
  },
  "option.new_link": {
    name: ["new_link", "novo_link"],
    description: [
      "Replace the URL: the old one stops working at once (default off)",
      "Substitua a URL: a antiga para de funcionar na hora (padrão desligado)",
    ],
  },
} as const satisfies Record<string, Text>;

export type CommandTextKey = keyof typeof commandTexts;

/**
 * Discord's name/description fields with their pt-BR localizations. A description may state an
 * option's range as `{minimum}`, `{maximum}` and `{default}`: `describe` gives those numbers as each
 * language writes them (from the option's limit in discord/commands/optionLimits.ts).
 */
export function localizeCommandText(
  key: CommandTextKey,
  describe: (locale: Locale) => Record<string, string> = () => ({}),
) {
  const text: Text = commandTexts[key];
  const english = fillPlaceholders(text.description[0], describe("en-US"));
  return {
    name: text.name[0],
    name_localizations: { "pt-BR": text.name[1] },
    description: english,
    description_localizations: {
      "en-US": english,
      "pt-BR": fillPlaceholders(text.description[1], describe("pt-BR")),
    },
  };
}

function fillPlaceholders(template: string, parameters: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => parameters[name] ?? placeholder);
}

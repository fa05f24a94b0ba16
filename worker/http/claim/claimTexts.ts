import type { Locale } from "../../i18n/translate";

/** The claim pages' words, in en-US and pt-BR (web pages, like http/raffle/raffleTexts.ts). */
export interface ClaimTexts {
  pageTitle: string;
  heading(item: string, channel: string): string;
  openBody(winner: string, minutes: number, time: string): string;
  claimedBody(winner: string): string;
  noScopes: string;
  signInButton: string;
  expiredTitle: string;
  expiredBody: string;
  codeLabel: string;
  copyButton: string;
  copied: string;
  codeNote: string;
  claimedTitle: string;
  claimedNoCode(channel: string): string;
  unreadableTitle: string;
  unreadableBody(channel: string): string;
  notYoursTitle: string;
  notYoursBody: string;
  failedTitle: string;
  invalidState: string;
  expiredState: string;
  reusedState: string;
  denied: string;
  twitchFailed: string;
}

const english: ClaimTexts = {
  pageTitle: "Claim your prize",
  heading: (item, channel) => `You won ${item} in ${channel}'s giveaway`,
  openBody: (winner, minutes, time) =>
    `Sign in with Twitch as ${winner} to claim it within ${minutes} minute${minutes === 1 ? "" : "s"} (by ${time} UTC).`,
  claimedBody: (winner) => `This prize is claimed. ${winner} can sign in again to see it.`,
  noScopes: "Signing in asks Twitch for no permissions: LiveLoot only learns which account you are.",
  signInButton: "Sign in with Twitch",
  expiredTitle: "This claim has expired",
  expiredBody: "The prize was not claimed in time, so it can no longer be claimed here.",
  codeLabel: "Your code",
  copyButton: "Copy",
  copied: "Copied",
  codeNote: "Keep it to yourself: anyone who has it can redeem it. Sign in again from the same link to see it later.",
  claimedTitle: "Prize claimed",
  claimedNoCode: (channel) => `It's yours. ${channel} has been told that you claimed it.`,
  unreadableTitle: "Your prize cannot be shown right now",
  unreadableBody: (channel) =>
    `You are the winner, but LiveLoot cannot open this prize's code right now. Ask ${channel}'s moderators in Discord to tell the app's operator, then open this link again.`,
  notYoursTitle: "Not your prize",
  notYoursBody: "The Twitch account you signed in with cannot claim this.",
  failedTitle: "Could not sign you in",
  invalidState: "This sign-in is not valid. Open the claim link again.",
  expiredState: "This sign-in took too long and expired. Open the claim link again.",
  reusedState: "This sign-in was already used. Open the claim link again.",
  denied: "You cancelled the sign-in on Twitch. Nothing was claimed.",
  twitchFailed: "Twitch did not confirm who you are. Please try again in a minute.",
};

const portuguese: ClaimTexts = {
  pageTitle: "Resgate seu prêmio",
  heading: (item, channel) => `Você ganhou ${item} no sorteio de ${channel}`,
  openBody: (winner, minutes, time) =>
    `Entre com a Twitch como ${winner} para resgatar em até ${minutes} minuto${minutes === 1 ? "" : "s"} (até ${time} UTC).`,
  claimedBody: (winner) => `Este prêmio já foi resgatado. ${winner} pode entrar de novo para vê-lo.`,
  noScopes: "Entrar não pede nenhuma permissão à Twitch: o LiveLoot só fica sabendo qual é a sua conta.",
  signInButton: "Entrar com a Twitch",
  expiredTitle: "Este resgate expirou",
  expiredBody: "O prêmio não foi resgatado a tempo e não pode mais ser resgatado aqui.",
  codeLabel: "Seu código",
  copyButton: "Copiar",
  copied: "Copiado",
  codeNote:
    "Guarde só para você: quem tiver o código pode usá-lo. Entre de novo pelo mesmo link para vê-lo mais tarde.",
  claimedTitle: "Prêmio resgatado",
  claimedNoCode: (channel) => `É seu. ${channel} foi avisado de que você o resgatou.`,
  unreadableTitle: "Seu prêmio não pode ser mostrado agora",
  unreadableBody: (channel) =>
    `Você é quem ganhou, mas o LiveLoot não consegue abrir o código deste prêmio agora. Peça aos moderadores de ${channel} no Discord que avisem o operador do app e abra este link de novo.`,
  notYoursTitle: "Este prêmio não é seu",
  notYoursBody: "A conta da Twitch com que você entrou não pode resgatar isto.",
  failedTitle: "Não foi possível entrar",
  invalidState: "Este acesso não é válido. Abra o link de resgate de novo.",
  expiredState: "Este acesso demorou demais e expirou. Abra o link de resgate de novo.",
  reusedState: "Este acesso já foi usado. Abra o link de resgate de novo.",
  denied: "Você cancelou a entrada na Twitch. Nada foi resgatado.",
  twitchFailed: "A Twitch não confirmou quem você é. Tente de novo em um minuto.",
};

export function readClaimTexts(locale: Locale): ClaimTexts {
  return locale === "pt-BR" ? portuguese : english;
}

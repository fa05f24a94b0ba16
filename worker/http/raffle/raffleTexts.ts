import type { Locale } from "../../i18n/translate";

/**
 * The public raffle page's words, in en-US and pt-BR. Kept apart from worker/i18n (the Discord
 * replies): these are a web page's, and the Verify script's, not a command's.
 */
export interface RaffleTexts {
  pageTitle(channel: string): string;
  heading(channel: string): string;
  status: Record<"running" | "paused" | "stopped", string>;
  rulesHeading: string;
  every(minutes: number): string;
  cooldown(minutes: number): string;
  luckOff: string;
  luckOn: string;
  gatesNone: string;
  /** `list`: the gates in force, as describeGates words them. */
  gates(list: string): string;
  streamerRulesHeading: string;
  /** The raffle's terms are versioned: a restart with new settings or a re-link starts a new version. */
  termsChannel(channel: string): string;
  termsChangedNote: string;
  latestTermsHeading(version: number): string;
  termsVersion(version: number): string;
  /** A draw's row naming the channel it was drawn in. */
  channel: string;
  disclaimer(channel: string): string;
  /** The English sentence Twitch's rules ask for, shown beside a translation; null on the English page. */
  disclaimerOriginalLabel: string | null;
  fairnessHeading: string;
  fairnessParagraphs: string[];
  /** The link to the algorithm to the byte: docs/fairness.md as a page (`/docs/fairness`), in English. */
  fairnessDocLink: string;
  notCoveredHeading: string;
  notCoveredParagraphs: string[];
  drawsHeading: string;
  noDraws: string;
  truncated(shown: number, total: number): string;
  drawLabel(drawNumber: number | null): string;
  manualDraw: string;
  time: string;
  winner: string;
  item: string;
  entrants: string;
  round: string;
  notVerifiable: string;
  legacyDraw: string;
  /** The row of the first winner's claim, and of each redraw after an unclaimed prize. */
  claim: string;
  redrawLabel(n: number): string;
  /** A claim's status; `redrawn`: it expired and the prize was drawn again. */
  claimStatus: Record<"open" | "claimed" | "expired" | "redrawn", string>;
  verifyButton: string;
  downloadsHeading: string;
  downloadJson: string;
  downloadCsv: string;
  verifyCommand: string;
  /** Messages of the in-browser Verify (page/verify.ts). */
  verify: VerifyTexts;
}

export interface VerifyTexts {
  checking: string;
  verified: string;
  verifiedNotPublic: string;
  mismatch: string;
  badSignature: string;
  unavailable: string;
}

const english: RaffleTexts = {
  pageTitle: (channel) => `Raffle on ${channel}`,
  heading: (channel) => `Raffle on twitch.tv/${channel}`,
  status: { running: "Running", paused: "Paused", stopped: "Stopped" },
  rulesHeading: "Rules",
  every: (minutes) =>
    minutes === 1
      ? "A draw every minute while the channel is live."
      : `A draw every ${minutes} minutes while the channel is live.`,
  cooldown: (minutes) =>
    minutes === 0
      ? "Cooldown: none, a winner may win again in the next draw."
      : `Cooldown: a winner cannot win again in this community for ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  luckOff: "Luck: off, every entrant has the same chance (weight 1).",
  luckOn:
    "Luck: on, an entrant's weight is 100 + their activity points, counting at most 400 points (weights 100 to 500).",
  gatesNone: "Gates: none, everyone in chat may enter.",
  gates: (list) => `Gates: only ${list} may enter; each draw's entrants are the chat after these gates.`,
  streamerRulesHeading: "The streamer's rules",
  termsChannel: (channel) => `Channel: twitch.tv/${channel}.`,
  termsChangedNote:
    "These rules changed while the raffle ran (it was restarted with new settings, or moved to another Twitch channel). Each draw names the version it was drawn under; a change never rewrites an earlier draw.",
  latestTermsHeading: (version) => `Version ${version} (latest)`,
  termsVersion: (version) => `Version ${version}`,
  channel: "Channel",
  disclaimer: (channel) =>
    `This is a promotion from ${channel}. Twitch does not sponsor or endorse broadcaster promotions and is not responsible for them.`,
  disclaimerOriginalLabel: null,
  fairnessHeading: "Why nobody can rig a draw",
  fairnessParagraphs: [
    "Before each draw LiveLoot fixes who may win (the entrants) and which prizes are left, and publishes their fingerprints (SHA-256 hashes). Only then does it take a random number from drand, a public randomness beacon run by independent organisations: the first number published after the entrants were fixed. Nobody, LiveLoot included, can know that number in advance or choose it.",
    "The prize and the winner follow from that number by a published recipe (liveloot/v1). Verify repeats the whole recipe in your browser: it checks the beacon's signature, the hashes of both lists and the picks. A ✓ means the draw is exactly what the recipe gives.",
  ],
  fairnessDocLink: "The recipe to the byte, with test vectors, for anyone who wants to check draws with their own code",
  notCoveredHeading: "What this does not cover",
  notCoveredParagraphs: [
    "Who was in chat: the entrant list comes from Twitch's chatter list as LiveLoot read it, minus the broadcaster, bots, excluded users, recent winners and whoever the raffle's gates left out (by Twitch's answers about follows, subscriptions, account ages and chat messages, as LiveLoot read them). In a very large chat the entrants are a uniform sample of at most 500 viewers, and which viewers went into the sample is not provable.",
    "A draw marked “not publicly verifiable” was made when the beacon could not be reached: its randomness came from LiveLoot itself.",
  ],
  drawsHeading: "Draws",
  noDraws: "No draws yet.",
  truncated: (shown, total) => `Showing the newest ${shown} of ${total} draws.`,
  drawLabel: (drawNumber) => (drawNumber === null ? "Draw" : `Draw #${drawNumber}`),
  manualDraw: "drawn by hand",
  time: "Time (UTC)",
  winner: "Winner",
  item: "Prize",
  entrants: "Entrants",
  round: "drand round",
  notVerifiable: "not publicly verifiable",
  legacyDraw: "Made before verifiable draws: there is no record to recompute.",
  claim: "Claim",
  redrawLabel: (n) => `Redraw ${n}`,
  claimStatus: {
    open: "waiting for the winner",
    claimed: "claimed",
    expired: "not claimed in time",
    redrawn: "not claimed in time → redrawn",
  },
  verifyButton: "Verify",
  downloadsHeading: "Check it yourself",
  downloadJson: "Every draw's record (JSON)",
  downloadCsv: "The draws as a spreadsheet (CSV)",
  verifyCommand: "Or run LiveLoot's verifier on the JSON:",
  verify: {
    checking: "Checking…",
    verified: "✓ Verified: the beacon's signature, both lists and the picks match.",
    verifiedNotPublic:
      "✓ The picks match this randomness, but it did not come from the beacon: not publicly verifiable.",
    mismatch: "✗ This draw does not match its record:",
    badSignature: "the beacon signature is not the chain's signature of this round",
    unavailable: "✗ The record could not be loaded or read:",
  },
};

const portuguese: RaffleTexts = {
  pageTitle: (channel) => `Sorteio em ${channel}`,
  heading: (channel) => `Sorteio em twitch.tv/${channel}`,
  status: { running: "Em andamento", paused: "Pausado", stopped: "Encerrado" },
  rulesHeading: "Regras",
  every: (minutes) =>
    minutes === 1
      ? "Um sorteio a cada minuto enquanto o canal está ao vivo."
      : `Um sorteio a cada ${minutes} minutos enquanto o canal está ao vivo.`,
  cooldown: (minutes) =>
    minutes === 0
      ? "Intervalo entre vitórias: nenhum, quem ganhou pode ganhar de novo no próximo sorteio."
      : `Intervalo entre vitórias: quem ganhou não pode ganhar de novo nesta comunidade por ${minutes} minuto${minutes === 1 ? "" : "s"}.`,
  luckOff: "Sorte: desligada, todos os participantes têm a mesma chance (peso 1).",
  luckOn:
    "Sorte: ligada, o peso de cada participante é 100 + seus pontos de atividade, contando no máximo 400 pontos (pesos de 100 a 500).",
  gatesNone: "Restrições: nenhuma, todos no chat podem participar.",
  gates: (list) =>
    `Restrições: só ${list} podem participar; os participantes de cada sorteio são o chat depois destas restrições.`,
  streamerRulesHeading: "Regras do streamer",
  termsChannel: (channel) => `Canal: twitch.tv/${channel}.`,
  termsChangedNote:
    "Estas regras mudaram durante o sorteio (ele foi retomado com novas configurações ou passou para outro canal da Twitch). Cada sorteio indica a versão em que foi feito; uma mudança nunca reescreve um sorteio anterior.",
  latestTermsHeading: (version) => `Versão ${version} (mais recente)`,
  termsVersion: (version) => `Versão ${version}`,
  channel: "Canal",
  disclaimer: (channel) =>
    `Esta é uma promoção de ${channel}. A Twitch não patrocina nem endossa promoções de transmissores e não é responsável por elas.`,
  disclaimerOriginalLabel: "Em inglês, como a Twitch pede:",
  fairnessHeading: "Por que ninguém consegue manipular um sorteio",
  fairnessParagraphs: [
    "Antes de cada sorteio, o LiveLoot fixa quem pode ganhar (os participantes) e quais prêmios restam, e publica as impressões digitais dessas listas (hashes SHA-256). Só então ele pega um número aleatório do drand, um farol público de aleatoriedade mantido por organizações independentes: o primeiro número publicado depois que os participantes foram fixados. Ninguém, nem o LiveLoot, consegue saber esse número antes ou escolhê-lo.",
    "O prêmio e o vencedor saem desse número por uma receita publicada (liveloot/v1). Verificar repete a receita inteira no seu navegador: confere a assinatura do farol, os hashes das duas listas e as escolhas. Um ✓ quer dizer que o sorteio é exatamente o que a receita dá.",
  ],
  fairnessDocLink:
    "A receita byte a byte, com vetores de teste, para quem quiser conferir os sorteios com o próprio código (em inglês)",
  notCoveredHeading: "O que isso não cobre",
  notCoveredParagraphs: [
    "Quem estava no chat: a lista de participantes vem da lista de chatters da Twitch como o LiveLoot a leu, sem o streamer, bots, usuários excluídos, vencedores recentes e quem as restrições do sorteio deixaram de fora (pelas respostas da Twitch sobre follows, inscrições, idade das contas e mensagens no chat, como o LiveLoot as leu). Num chat muito grande, os participantes são uma amostra uniforme de no máximo 500 espectadores, e quais espectadores entraram na amostra não é comprovável.",
    "Um sorteio marcado “não verificável publicamente” foi feito quando o farol estava inacessível: a aleatoriedade veio do próprio LiveLoot.",
  ],
  drawsHeading: "Sorteios",
  noDraws: "Nenhum sorteio ainda.",
  truncated: (shown, total) => `Mostrando os ${shown} sorteios mais recentes de ${total}.`,
  drawLabel: (drawNumber) => (drawNumber === null ? "Sorteio" : `Sorteio nº ${drawNumber}`),
  manualDraw: "feito à mão",
  time: "Hora (UTC)",
  winner: "Vencedor",
  item: "Prêmio",
  entrants: "Participantes",
  round: "Rodada do drand",
  notVerifiable: "não verificável publicamente",
  legacyDraw: "Feito antes dos sorteios verificáveis: não há registro para recalcular.",
  claim: "Resgate",
  redrawLabel: (n) => `Novo sorteio ${n}`,
  claimStatus: {
    open: "aguardando o ganhador",
    claimed: "resgatado",
    expired: "não resgatado a tempo",
    redrawn: "não resgatado a tempo → sorteado de novo",
  },
  verifyButton: "Verificar",
  downloadsHeading: "Confira você mesmo",
  downloadJson: "O registro de cada sorteio (JSON)",
  downloadCsv: "Os sorteios como planilha (CSV)",
  verifyCommand: "Ou rode o verificador do LiveLoot sobre o JSON:",
  verify: {
    checking: "Verificando…",
    verified: "✓ Verificado: a assinatura do farol, as duas listas e as escolhas conferem.",
    verifiedNotPublic:
      "✓ As escolhas conferem com esta aleatoriedade, mas ela não veio do farol: não verificável publicamente.",
    mismatch: "✗ Este sorteio não confere com o registro:",
    badSignature: "a assinatura do farol não é a assinatura da rede para esta rodada",
    unavailable: "✗ Não foi possível carregar ou ler o registro:",
  },
};

export function readRaffleTexts(locale: Locale): RaffleTexts {
  return locale === "pt-BR" ? portuguese : english;
}

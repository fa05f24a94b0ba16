/** Debian's package; the CI image installs it. Never downloaded by a test. */
export const chromiumPath = "/usr/bin/chromium";

/** Headless, with nothing that would reach the internet on its own. */
export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// What the Chromium checks share: Debian's Chromium launched headless through playwright-core, and Swagger UI
// opened and authorized with a key.
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Swagger UI at base/swagger, authorized with key; console and page errors are pushed to problems. */
export async function openSwaggerUi(browser, base, key, problems) {
  const page = await browser.newPage();
  page.on('console', message => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('pageerror', error => problems.push(`page: ${error.message}`));
  await page.goto(new URL('/swagger', base).href);
  await page.locator('.information-container .title').waitFor();
  await page.locator('.auth-wrapper button.authorize').click();
  await page.locator('.auth-container input').fill(key);
  await page.locator('.auth-btn-wrapper button.authorize').click();
  await page.locator('.auth-btn-wrapper button.btn-done').click();
  return page;
}

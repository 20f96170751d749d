// lib.mjs - helpers for the browser tests: Debian's chromium driven by
// playwright-core (headless, fresh profile), signing in through the real form,
// axe-core checks and screenshots. The server URL comes from JOUDA_URL.
import { chromium } from 'playwright-core';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BASE = (process.env.JOUDA_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const DEMO_PASSWORD = 'Jouda-demo-2026';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHOTS = process.env.JOUDA_SCREENSHOTS || path.join(ROOT, 'tests/output/screenshots');
const AXE = path.join(ROOT, 'node_modules/axe-core/axe.min.js');

export async function launch() {
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** A fresh context (own cookies). bypassCSP: true lets axe-core be injected
 *  (look.test); otherwise the CSP applies and any refusal is a problem. */
export async function newPage(browser, { width = 1280, height = 900, locale = 'fr-FR', bypassCSP = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, bypassCSP, locale, baseURL: BASE });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // script errors and CSP refusals; error statuses (a 422 form) are expected
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.problems = problems;
  return { context, page };
}

export async function login(page, who, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.fill('#f-login', who);
  await page.fill('#f-password', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('form[action="/login"] button[type="submit"]')]);
}

export async function langDir(page) {
  return page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
}

/** Serious and critical axe-core violations of the current page. */
export async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
  return res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page, name) {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function horizontalOverflow(page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    culprits: [...document.querySelectorAll('body *')]
      .filter((e) => { const r = e.getBoundingClientRect(); return r.right > window.innerWidth + 1 || r.left < -1; })
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ').join('.')}` : ''}`),
  }));
}

// axe-core over pages in Debian's Chromium, driven by puppeteer-core (no browser download): each
// page given on the command line at 1280 and 375 px wide, in the light and the dark scheme, axe
// injected into the page and every frame (an embed inside a host page is checked too). One JSON
// line per page and setting: its violations, every request the page made that is not a local
// file (a page for people loads nothing from anyone), and whether it scrolls sideways at 160 CSS
// px (320 px at 200 % text: WCAG's reflow). Used by tests/integration/accessible.rs.
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const axe = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function main() {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
  });
  const page = await browser.newPage();
  // The pages' Content-Security-Policy forbids scripts: axe is ours, not the page's.
  await page.setBypassCSP(true);
  const requests = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!/^(file|data|about):/.test(u)) requests.push(u);
  });
  for (const file of process.argv.slice(2)) {
    for (const width of [1280, 375]) {
      for (const scheme of ['light', 'dark']) {
        requests.length = 0;
        await page.setViewport({ width, height: 900 });
        await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
        await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
        for (const frame of page.frames()) await frame.evaluate(axe);
        const violations = await page.evaluate(async () => {
          const r = await window.axe.run(document, { iframes: true });
          return r.violations.map((v) => ({
            id: v.id,
            nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
          }));
        });
        let overflow = false;
        if (width === 375) {
          await page.setViewport({ width: 160, height: 900 });
          overflow = await page.evaluate(
            () => document.documentElement.scrollWidth > window.innerWidth + 1,
          );
        }
        console.log(
          JSON.stringify({ file, width, scheme, violations, requests: [...requests], overflow }),
        );
      }
    }
  }
  await browser.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});

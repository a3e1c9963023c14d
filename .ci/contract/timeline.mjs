// The outcome timeline (SVG) rendered in headless Chromium (Debian's, driven by playwright-core), twice: opened
// directly, its elements read back from the rendered DOM (lanes, bars by status, the critical path, a red arrow for
// the dependency in conflict, today's line, each with a non-empty rendered box); and in Swagger UI's response panel
// after Try it out, where it must show as a loaded image. Usage: node timeline.mjs <api base URL> <bootstrap key>
import { launchChromium, openSwaggerUi } from './browser.mjs';

const [base, bootstrapKey] = process.argv.slice(2);
if (!base || !bootstrapKey) {
  console.error('usage: node timeline.mjs <api base URL> <bootstrap key>');
  process.exit(2);
}

async function call(method, path, key, body, headers = {}) {
  const response = await fetch(new URL(path, base), {
    method,
    headers: { 'X-Api-Key': key, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const day = offset => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const organisation = await call('POST', '/organisations', bootstrapKey, { name: 'Timeline check' });
const { key } = await call('POST', `/organisations/${organisation.id}/api-keys`, bootstrapKey, { name: 'Admin', role: 'Admin' });
const eur = amount => ({ amount, currency: 'EUR' });
let outcome = await call('POST', '/outcomes', key, {
  title: 'Spring relaunch', conductor: 'Ada Lovelace', startsOn: day(-30), endsOn: day(90), budget: eur(1_000_000),
  description: 'One brand voice across the four disciplines.', segments: ['loyalty members'],
  kpis: [{ key: 'clv', name: 'Customer lifetime value', unit: 'EUR', baseline: 420, target: 500, direction: 'Up' }],
});
outcome = await call('POST', `/outcomes/${outcome.id}/activate`, key, undefined, { 'If-Match': String(outcome.version) });
const plan = discipline => call('POST', '/plans', key, { outcomeId: outcome.id, discipline, title: `${discipline} plan`, orchestrator: 'Grace Hopper', budget: eur(200_000), objective: 'Speak as one brand.' });
const activity = (planId, name, channel, from, to) => call('POST', `/plans/${planId}/activities`, key, { name, channel, startsOn: day(from), endsOn: day(to), budget: eur(10_000), kpiKeys: ['clv'] });
const advertising = await plan('Advertising');
const crm = await plan('Crm');
const digital = await plan('Digital');
const tv = await activity(advertising.id, 'TV burst', 'Tv', -10, 20);
const email = await activity(crm.id, 'Win-back emails', 'Email', 5, 25);
const search = await activity(digital.id, 'Search', 'PaidSearch', 30, 40);
const conflict = await call('POST', `/outcomes/${outcome.id}/connections`, key, {
  kind: 'Dependency', title: 'Emails follow the TV burst', rationale: 'Members respond after they have seen it.',
  from: { planId: advertising.id, activityId: tv.id }, to: { planId: crm.id, activityId: email.id }, lagDays: 0,
});
await call('POST', `/outcomes/${outcome.id}/connections`, key, {
  kind: 'Dependency', title: 'Search after the burst', rationale: 'Demand first, then capture it.',
  from: { planId: advertising.id, activityId: tv.id }, to: { planId: digital.id, activityId: search.id }, lagDays: 2,
});

const browser = await launchChromium();
const problems = [];
const fail = message => { throw new Error(message); };
try {
  const context = await browser.newContext({ extraHTTPHeaders: { 'X-Api-Key': key } });
  const page = await context.newPage();
  page.on('pageerror', error => problems.push(`page: ${error.message}`));
  const response = await page.goto(new URL(`/outcomes/${outcome.id}/timeline`, base).href);
  if (response.status() !== 200 || !response.headers()['content-type'].startsWith('image/svg+xml')) fail(`timeline answered ${response.status()} ${response.headers()['content-type']}`);
  const seen = await page.evaluate(() => {
    const box = e => { const b = e.getBBox(); return b.width > 0 && b.height > 0; };
    const all = selector => [...document.querySelectorAll(selector)];
    return {
      root: document.documentElement.localName,
      lanes: all('g.lane').map(g => g.dataset.discipline),
      bars: all('rect.activity').map(r => ({ id: r.dataset.activityId, status: r.dataset.status, fill: r.getAttribute('fill'), critical: r.classList.contains('critical'), drawn: box(r) })),
      arrows: all('path.connection').map(p => ({ trouble: p.classList.contains('trouble'), stroke: getComputedStyle(p).stroke, drawn: box(p) })),
      today: all('g.today line').map(l => l.getBBox().height > 0),
      rag: document.querySelector('circle.rag')?.dataset.rag,
    };
  });
  console.log(`Timeline in Chromium: ${seen.lanes.length} lanes, ${seen.bars.length} bars (${seen.bars.filter(b => b.critical).length} critical), ${seen.arrows.length} arrows (${seen.arrows.filter(a => a.trouble).length} red), today line ${seen.today.length}, RAG ${seen.rag}`);
  if (seen.root !== 'svg') fail(`not an SVG document: ${seen.root}`);
  if (seen.lanes.join() !== 'Advertising,PublicRelations,Digital,Crm') fail(`lanes: ${seen.lanes}`);
  if (seen.bars.length !== 3 || !seen.bars.every(b => b.drawn && b.status === 'Planned' && b.fill === '#90a4ae')) fail(`bars: ${JSON.stringify(seen.bars)}`);
  const critical = seen.bars.filter(b => b.critical).map(b => b.id).sort();
  if (critical.join() !== [tv.id, email.id].sort().join()) fail(`critical path: ${critical} (expected the TV burst and the emails it pushes out)`);
  if (seen.arrows.length !== 2 || !seen.arrows.every(a => a.drawn)) fail(`arrows: ${JSON.stringify(seen.arrows)}`);
  const red = seen.arrows.filter(a => a.trouble);
  if (red.length !== 1 || red[0].stroke !== 'rgb(211, 47, 47)') fail(`the conflicting dependency ${conflict.id} is not the one red arrow: ${JSON.stringify(seen.arrows)}`);
  if (seen.today.length !== 1 || !seen.today[0]) fail('no today line');
  if (seen.rag !== 'Red') fail(`RAG ${seen.rag}`);
  await page.screenshot({ path: process.env.TIMELINE_PNG ?? '/tmp/orchestra-timeline.png' });

  const explorer = await openSwaggerUi(browser, base, key, problems);
  const operation = explorer.locator('#operations-Status-GetTimeline');
  await operation.locator('.opblock-summary').click();
  await operation.locator('button.try-out__btn').click();
  await operation.locator('tr[data-param-name="outcomeId"] input').fill(outcome.id);
  await operation.locator('button.execute').click();
  const image = operation.locator('.live-responses-table .response-col_description img.svg-answer').first();
  await image.waitFor();
  const loaded = await image.evaluate(img => img.complete && img.naturalWidth > 0 ? img.naturalWidth : 0);
  console.log(`Swagger UI Try it out on Get an outcome's timeline → image ${loaded}px wide`);
  if (loaded === 0) fail('Swagger UI did not show the timeline as an image');
} finally {
  await browser.close();
}

if (problems.length > 0) {
  console.error(`Chromium reported ${problems.length} error(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('Timeline: rendered and inspected in Chromium, shown in Swagger UI.');

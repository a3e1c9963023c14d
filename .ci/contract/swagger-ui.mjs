// Swagger UI as an explorer uses it, in headless Chromium (Debian's, driven by playwright-core): authorize with
// a key, Try it out on "Define an outcome" (201) and on "Get an outcome" with the id it returned (200), then on
// "Watch an outcome's status live": its events show as they arrive (a change made meanwhile included), never
// "LOADING" forever, until Stop.
// Any console error or page error fails the check. Usage: node swagger-ui.mjs <api base URL> <bootstrap key>
import { launchChromium, openSwaggerUi } from './browser.mjs';

const [base, bootstrapKey] = process.argv.slice(2);
if (!base || !bootstrapKey) {
  console.error('usage: node swagger-ui.mjs <api base URL> <bootstrap key>');
  process.exit(2);
}

async function post(path, key, body) {
  const response = await fetch(new URL(path, base), {
    method: 'POST',
    headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const organisation = await post('/organisations', bootstrapKey, { name: 'Swagger UI check' });
const { key } = await post(`/organisations/${organisation.id}/api-keys`, bootstrapKey, { name: 'Explorer', role: 'Conductor' });

const browser = await launchChromium();
const problems = [];
try {
  const page = await openSwaggerUi(browser, base, key, problems);

  const define = page.locator('#operations-Outcomes-DefineOutcome');
  await define.locator('.opblock-summary').click();
  await define.locator('button.try-out__btn').click();
  await define.locator('button.execute').click();
  const defined = define.locator('.live-responses-table .response .response-col_status').first();
  await defined.waitFor();
  const definedStatus = (await defined.innerText()).trim();
  const body = await define.locator('.live-responses-table .response-col_description pre.microlight').first().innerText();
  const outcome = JSON.parse(body);
  console.log(`Define an outcome → ${definedStatus} (outcome ${outcome.id}, version ${outcome.version})`);
  if (!definedStatus.startsWith('201')) throw new Error(`Define an outcome answered ${definedStatus}: ${body}`);

  const get = page.locator('#operations-Outcomes-GetOutcome');
  await get.locator('.opblock-summary').click();
  await get.locator('button.try-out__btn').click();
  await get.locator('tr[data-param-name="outcomeId"] input').fill(outcome.id);
  await get.locator('button.execute').click();
  const read = get.locator('.live-responses-table .response .response-col_status').first();
  await read.waitFor();
  const readStatus = (await read.innerText()).trim();
  const readBody = await get.locator('.live-responses-table .response-col_description pre.microlight').first().innerText();
  console.log(`Get an outcome → ${readStatus}`);
  if (!readStatus.startsWith('200') || JSON.parse(readBody).id !== outcome.id) throw new Error(`Get an outcome answered ${readStatus}: ${readBody}`);

  const watch = page.locator('#operations-Status-OpenOutcomeStatusStream');
  await watch.locator('.opblock-summary').click();
  await watch.locator('button.try-out__btn').click();
  await watch.locator('tr[data-param-name="outcomeId"] input').fill(outcome.id);
  await watch.locator('button.execute').click();
  await watch.locator('.live-events .live-event').first().waitFor({ timeout: 15000 });
  const streamed = watch.locator('.live-responses-table .response .response-col_status').first();
  await streamed.waitFor({ timeout: 15000 });
  const streamedStatus = (await streamed.innerText()).trim();
  if (!streamedStatus.startsWith('200')) throw new Error(`Watch an outcome's status live answered ${streamedStatus}`);
  const revised = await fetch(new URL(`/outcomes/${outcome.id}`, base), {
    method: 'PATCH',
    headers: { 'X-Api-Key': key, 'Content-Type': 'application/json', 'If-Match': `${outcome.version}` },
    body: JSON.stringify({ budget: { amount: 2000000, currency: outcome.budget.currency } }),
  });
  if (revised.status !== 200) throw new Error(`Revise an outcome: ${revised.status} ${await revised.text()}`);
  await page.waitForFunction(() => document.querySelectorAll('#operations-Status-OpenOutcomeStatusStream .live-event').length >= 2, null, { timeout: 15000 });
  const latest = await watch.locator('.live-events .live-event').first().innerText();
  if (!latest.includes('"kind": "Change"')) throw new Error(`The newest live event is not a change: ${latest}`);
  await watch.locator('.live-events .live-stop').click();
  console.log(`Watch an outcome's status live → ${streamedStatus}, ${await watch.locator('.live-events .live-event').count()} events shown as they came, stopped`);
} finally {
  await browser.close();
}

if (problems.length > 0) {
  console.error(`Swagger UI reported ${problems.length} error(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('Swagger UI: authorized, created an outcome, read it back and watched it live, no console errors.');

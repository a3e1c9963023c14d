// Fails on any breaking change from a released contract to a revision of it:
//   node .ci/contract/breaking.mjs BASE.json REVISION.json
// The comparison is Redocly CLI's `diff` (the pinned @redocly/cli of package.json) with the rules of
// redocly-diff.yaml; this script only runs it offline and lists each breaking (major) change on one line.
// Exit 0: nothing breaks. Exit 1: something breaks (each change listed). Exit 2: the comparison itself failed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [base, revision] = process.argv.slice(2);
if (!base || !revision) {
  console.error('usage: node breaking.mjs BASE.json REVISION.json');
  process.exit(2);
}
const redocly = join(here, 'node_modules', '.bin', 'redocly');
if (!existsSync(redocly)) {
  console.error(`${redocly} is missing: run 'npm ci' in ${here} first.`);
  process.exit(2);
}

const run = spawnSync(
  redocly,
  ['diff', base, revision, '--config', join(here, 'redocly-diff.yaml'), '--format', 'json', '--fail-on', 'major'],
  {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' },
  },
);
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = undefined;
}
const major = report?.summary?.major;
// Redocly's exit code and its report must agree; anything else is a failure of the tool, never a pass.
if (!report || !Array.isArray(report.changes) || typeof major !== 'number' || run.status !== (major > 0 ? 1 : 0)) {
  console.error(`redocly diff did not compare ${base} with ${revision} (exit ${run.status ?? run.signal}):`);
  // Without the box of Redocly's Node.js deprecation notice, which says nothing about the comparison.
  const said = `${run.stderr || ''}\n${run.stdout || ''}`.split('\n').filter((l) => !/[║╔╚]/.test(l)).join('\n').trim();
  console.error(said || String(run.error ?? 'no output'));
  process.exit(2);
}

const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'query']);
const unescape = (segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~');
// "#/paths/~1outcomes/post/requestBody/..." -> "POST /outcomes requestBody/...".
function where(pointer) {
  const segments = String(pointer ?? '').replace(/^#\/?/, '').split('/').map(unescape);
  if (segments[0] !== 'paths' || segments.length < 2) return segments.join('/') || '(document)';
  const [, path, method, ...rest] = segments;
  if (method && methods.has(method)) return [`${method.toUpperCase()} ${path}`, rest.join('/')].filter(Boolean).join(' ');
  return [path, [method, ...rest].filter(Boolean).join('/')].filter(Boolean).join(' ');
}
const at = (location) => (location?.file ? ` (${location.file}${location.line ? `:${location.line}` : ''})` : '');

const lines = [];
for (const change of report.changes) {
  const verdicts = (change.verdicts ?? []).filter((v) => v.impact === 'major');
  for (const v of verdicts) lines.push(`  ✖ ${where(change.path)}: ${v.message} [${v.ruleId}]${at(v.location)}`);
  if (change.impact === 'major' && verdicts.length === 0) lines.push(`  ✖ ${where(change.path)}: ${change.kind} [no rule named]`);
}
const { minor = 0, patch = 0 } = report.summary;
if (major === 0) {
  console.log(`No breaking change from ${base} to ${revision} (${minor} additive, ${patch} cosmetic).`);
  process.exit(0);
}
console.log(`${major} breaking change${major === 1 ? '' : 's'} from ${base} to ${revision}:`);
console.log(lines.join('\n'));
console.log(`(${minor} additive and ${patch} cosmetic changes besides.)`);
process.exit(1);

#!/usr/bin/env bash
# Proves that the breaking-change check (breaking.mjs) works both ways before CI trusts it: copies of the released
# contract with one deliberate change each are compared with it; every breaking copy must fail, naming the rule
# that caught it, and every additive copy must pass. The targets (which operation, schema, enum) are picked from
# the baseline itself, so the test keeps working when a release replaces the baseline.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
baseline="${1:-$here/baseline/openapi-v1.json}"
[ -x "$here/node_modules/.bin/redocly" ] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || exit 1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One line per case: file, expected verdict (pass|fail), what was changed, and the rule ids that must be named
# (',' = and, '|' = or; last, as it is empty for the cases that must pass).
node --input-type=module - "$baseline" "$work" >"$work/cases.tsv" <<'EOF' || { echo "Self-test: could not build its cases from $baseline." >&2; exit 1; }
import { readFileSync, writeFileSync } from 'node:fs';
const [baselinePath, dir] = process.argv.slice(2);
const base = JSON.parse(readFileSync(baselinePath, 'utf8'));
const schemas = base.components?.schemas ?? {};
const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ops = Object.entries(base.paths ?? {}).flatMap(([path, item]) =>
  methods.filter((m) => item[m]).map((method) => ({ path, method, op: item[method], name: `${method.toUpperCase()} ${path}` })));
const refName = (s) => (typeof s?.$ref === 'string' && s.$ref.startsWith('#/components/schemas/') ? s.$ref.slice(21) : undefined);
const need = (what, found) => { if (!found) throw new Error(`no ${what} in the baseline`); return found; };
const plainString = (p) => p && p.type === 'string' && !p.enum;

// Targets, found in the baseline.
const first = need('operation', ops[0]);
const last = need('second operation', ops.length > 1 && ops[ops.length - 1]);
const withId = need('operation with an operationId', ops.find((o) => o.op.operationId));
const getOp = need('GET operation', ops.find((o) => o.method === 'get'));
const optionalQuery = need('optional query parameter', ops.flatMap((o) => (o.op.parameters ?? [])
  .map((p, i) => ({ o, i, p })).filter(({ p }) => p.in === 'query' && !p.required))[0]);
const with200 = need('operation answering 200 and not 201', ops.find((o) => o.op.responses?.['200'] && !o.op.responses['201']));
const responseSchema = need('2xx JSON response schema with a required string property', ops.flatMap((o) =>
  Object.entries(o.op.responses ?? {}).filter(([code]) => /^2/.test(code))
    .map(([, r]) => refName(r.content?.['application/json']?.schema))).filter(Boolean)
  .map((name) => ({ name, prop: Object.keys(schemas[name]?.properties ?? {})
    .find((k) => (schemas[name].required ?? []).includes(k) && plainString(schemas[name].properties[k])) }))
  .find((t) => t.prop));
const requestSchema = need('JSON request body schema with an optional string property', ops
  .map((o) => refName(o.op.requestBody?.content?.['application/json']?.schema)).filter(Boolean)
  .map((name) => ({ name, prop: Object.keys(schemas[name]?.properties ?? {})
    .find((k) => !(schemas[name].required ?? []).includes(k)),
    stringProp: Object.keys(schemas[name]?.properties ?? {}).find((k) => plainString(schemas[name].properties[k])) }))
  .find((t) => t.prop && t.stringProp));
const enumSchema = need('enum with two values or more', Object.entries(schemas)
  .map(([name, s]) => ({ name, values: s.enum })).find((t) => Array.isArray(t.values) && t.values.length > 1));

const opOf = (d, o) => d.paths[o.path][o.method];
const removeOperation = (d, o) => {
  delete d.paths[o.path][o.method];
  if (!methods.some((m) => d.paths[o.path][m])) delete d.paths[o.path];
};
const removeResponseProperty = (d) => {
  const s = d.components.schemas[responseSchema.name];
  delete s.properties[responseSchema.prop];
  s.required = s.required.filter((k) => k !== responseSchema.prop);
};
const R = `${responseSchema.name}.${responseSchema.prop}`;
const cases = [
  // Additive: must pass.
  ['pass', '', `a new operation (GET /self-test/added)`, (d) => {
    d.paths['/self-test/added'] = { get: { operationId: 'SelfTestAdded', responses: { 200: { description: 'OK',
      content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' } } } } } } } } };
  }],
  ['pass', '', `a new optional query parameter on ${getOp.name}`, (d) => {
    const op = opOf(d, getOp);
    (op.parameters ??= []).push({ name: 'selfTestFilter', in: 'query', required: false, schema: { type: 'string' } });
  }],
  ['pass', '', `a new optional request field ${requestSchema.name}.selfTestNote`, (d) => {
    d.components.schemas[requestSchema.name].properties.selfTestNote = { type: ['null', 'string'], maxLength: 100 };
  }],
  ['pass', '', `a new response field ${responseSchema.name}.selfTestExtra`, (d) => {
    const s = d.components.schemas[responseSchema.name];
    s.properties.selfTestExtra = { type: 'string', maxLength: 100 };
    s.required = [...(s.required ?? []), 'selfTestExtra'];
  }],
  ['pass', '', `a new enum value ${enumSchema.name}.SelfTestValue`, (d) => {
    d.components.schemas[enumSchema.name].enum.push('SelfTestValue');
  }],
  // Breaking: must fail, caught by the named rule.
  ['fail', 'path-removed|operation-removed,property-removed', `${last.name} removed and response property ${R} removed`, (d) => {
    removeOperation(d, last);
    removeResponseProperty(d);
  }],
  ['fail', 'path-removed|operation-removed', `${last.name} removed`, (d) => removeOperation(d, last)],
  ['fail', 'property-removed', `response property ${R} removed`, removeResponseProperty],
  ['fail', 'schema-type-changed', `response property ${R} from string to integer`, (d) => {
    d.components.schemas[responseSchema.name].properties[responseSchema.prop].type = 'integer';
  }],
  ['fail', 'operation-id-changed', `operationId ${withId.op.operationId} of ${withId.name} renamed`, (d) => {
    opOf(d, withId).operationId = `${withId.op.operationId}Renamed`;
  }],
  ['fail', 'parameter-became-required', `optional query parameter '${optionalQuery.p.name}' of ${optionalQuery.o.name} made required`, (d) => {
    opOf(d, optionalQuery.o).parameters[optionalQuery.i].required = true;
  }],
  ['fail', 'parameter-became-required|parameter-added', `a required query parameter added to ${getOp.name}`, (d) => {
    const op = opOf(d, getOp);
    (op.parameters ??= []).push({ name: 'selfTestRequired', in: 'query', required: true, schema: { type: 'string' } });
  }],
  ['fail', 'required-properties-added', `optional request field ${requestSchema.name}.${requestSchema.prop} made required`, (d) => {
    const s = d.components.schemas[requestSchema.name];
    s.required = [...(s.required ?? []), requestSchema.prop];
  }],
  ['fail', 'schema-type-changed', `request field ${requestSchema.name}.${requestSchema.stringProp} from string to integer`, (d) => {
    d.components.schemas[requestSchema.name].properties[requestSchema.stringProp].type = 'integer';
  }],
  ['fail', 'enum-values-removed', `enum value ${enumSchema.name}.${enumSchema.values.at(-1)} removed`, (d) => {
    d.components.schemas[enumSchema.name].enum.pop();
  }],
  ['fail', 'response-removed', `success status of ${with200.name} changed from 200 to 201`, (d) => {
    const responses = opOf(d, with200).responses;
    responses['201'] = responses['200'];
    delete responses['200'];
  }],
];
console.log([baselinePath, 'pass', 'the baseline compared with itself', ''].join('\t'));
cases.forEach(([expect, rules, what, mutate], i) => {
  const copy = structuredClone(base);
  mutate(copy);
  const file = `${dir}/case-${String(i + 1).padStart(2, '0')}.json`;
  writeFileSync(file, JSON.stringify(copy, null, 2));
  console.log([file, expect, what, rules].join('\t'));
});
EOF

echo "Breaking-change check, self-test against $(basename "$baseline"):"
total=0
wrong=0
while IFS=$'\t' read -r file expect what rules; do
  total=$((total + 1))
  out="$work/out-$total.txt"
  node "$here/breaking.mjs" "$baseline" "$file" >"$out" 2>&1
  rc=$?
  problem=""
  if [ "$expect" = pass ]; then
    [ $rc -eq 0 ] || problem="expected to pass, exit $rc"
  elif [ $rc -ne 1 ]; then
    problem="expected to fail as breaking (exit 1), exit $rc"
  else
    IFS=',' read -ra groups <<<"$rules"
    for group in "${groups[@]}"; do
      grep -qE "\[($group)\]" "$out" || problem="${problem:+$problem; }no change named by rule $group"
    done
  fi
  if [ -z "$problem" ]; then
    if [ "$expect" = pass ]; then
      echo "  ok: passes: $what $(grep -oE '\([0-9]+ additive, [0-9]+ cosmetic\)' "$out")"
    else
      echo "  ok: fails:  $what [$(grep -oE '\[[a-z-]+\]' "$out" | tr -d '[]' | sort -u | paste -sd, -)]"
    fi
  else
    wrong=$((wrong + 1))
    echo "  WRONG: $what: $problem. The check said:"
    sed 's/^/      /' "$out"
  fi
done <"$work/cases.tsv"

if [ "$wrong" -gt 0 ]; then
  echo "Self-test: $wrong of $total cases misbehaved, so the breaking-change check cannot be trusted." >&2
  exit 1
fi
echo "Self-test: all $total cases behaved as expected."

import { builtinRuleSet } from './server/src/analysis/rules/ruleset';
import { analyzeText } from './server/src/model/analyze';
import { readFileSync } from 'fs';
const b = builtinRuleSet();
console.log('rules', b.ruleSet.rules.length, 'mitigations', b.ruleSet.mitigations.size);
for (const [uri, ds] of b.diagnostics) for (const d of ds) console.log(uri.split('/').pop(), d.code, d.message, JSON.stringify(readFileSync(new URL(uri), 'utf8').slice(d.span.start, d.span.end)));
for (const f of process.argv.slice(2)) {
  const r = analyzeText(readFileSync(f, 'utf8'));
  console.log('==', f, r.diagnostics.length);
  for (const d of r.diagnostics) console.log(' ', d.code, d.severity, d.message.slice(0, 220));
}

import { buildDiagram } from './server/src/analysis/diagram';
import { computeMetrics } from './server/src/analysis/metrics';
import { analyzeText } from './server/src/model/analyze';
import { readFileSync } from 'fs';
const a = analyzeText(readFileSync(process.argv[2], 'utf8'));
console.log(buildDiagram(a).mermaid);
const m = computeMetrics(a, { today: '2026-11-26' })!;
for (const g of m.gauges) console.log(g.id, g.done, '/', g.total, g.missing.slice(0, 2).map(x => x.message));
console.log(m.residualRisk, m.freshness, m.gates);

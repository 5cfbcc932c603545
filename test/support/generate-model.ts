/**
 * Deterministic model generator for benchmarks: n components in nested boundaries, about two flows and three threats
 * per component, with the properties the rules read. Same n, same text.
 */
export function generateModel(n: number): string {
  let seed = 42;
  const rand = () => {
    // xorshift32: deterministic across runs and platforms
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0xffffffff;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const lines: string[] = ['threatcode: 1', 'system:', `  name: Generated system with ${n} components`, '  release: "1.0"', 'boundaries:'];
  const zones = Math.max(2, Math.ceil(n / 25));
  const trusts = ['untrusted', 'dmz', 'internal', 'restricted'];
  for (let z = 0; z < zones; z++) {
    lines.push(`  - id: zone-${z}`, `    name: Zone ${z}`, `    trust: ${trusts[z % 4]}`);
    if (z >= 4) lines.push(`    parent: zone-${z % 4}`);
  }
  lines.push('data:');
  const dataCount = Math.max(4, Math.ceil(n / 10));
  const classes = ['public', 'internal', 'confidential', 'restricted'];
  for (let d = 0; d < dataCount; d++) {
    lines.push(
      `  - id: data-${d}`,
      `    name: Data ${d}`,
      `    classification: ${classes[d % 4]}`,
      `    pii: ${d % 3 === 0 ? 'personal' : 'none'}`,
    );
  }
  lines.push('components:');
  for (let c = 0; c < n; c++) {
    const type = c % 10 === 0 ? 'external' : c % 4 === 0 ? 'datastore' : 'process';
    const kind =
      type === 'external'
        ? pick(['human', 'saas', 'partner'])
        : type === 'datastore'
          ? pick(['sql', 'nosql', 'cache', 'object'])
          : pick(['api', 'service', 'worker', 'web-app']);
    lines.push(
      `  - id: comp-${c}`,
      `    name: Component ${c}`,
      `    type: ${type}`,
      `    kind: ${kind}`,
      `    boundary: zone-${c % zones}`,
    );
    if (type === 'process') {
      lines.push(
        `    exposure: ${pick(['internet', 'internal', 'local'])}`,
        `    authentication: ${pick(['none', 'token', 'oidc', 'mtls'])}`,
        `    authorization: ${pick(['none', 'rbac'])}`,
      );
      lines.push(
        '    controls:',
        `      validatesInput: ${pick(['true', 'false', 'unknown'])}`,
        `      rateLimiting: ${pick(['true', 'false'])}`,
        `      auditLogging: ${pick(['true', 'unknown'])}`,
      );
    } else if (type === 'datastore') {
      lines.push(`    stores: [data-${c % dataCount}, data-${(c * 7) % dataCount}]`, `    encryptionAtRest: ${pick(['none', 'platform'])}`);
    }
  }
  lines.push('flows:');
  for (let c = 0; c < n; c++) {
    for (let k = 1; k <= 2; k++) {
      const to = (c + k * 7 + 1) % n;
      if (to === c) continue;
      lines.push(
        `  - id: flow-${c}-${k}`,
        `    from: comp-${c}`,
        `    to: comp-${to}`,
        `    protocol: ${pick(['https', 'http', 'grpc-tls', 'sql-tls'])}`,
        `    authentication: ${pick(['none', 'token', 'mtls'])}`,
        `    data: [data-${(c + k) % dataCount}]`,
      );
    }
  }
  lines.push('mitigations:');
  const mitigationCount = Math.max(1, Math.ceil(n / 2));
  for (let m = 0; m < mitigationCount; m++) {
    lines.push(
      `  - id: mit-${m}`,
      `    title: Mitigation ${m}`,
      `    status: ${pick(['proposed', 'implemented', 'verified'])}`,
      `    evidence: src/m${m}.ts`,
    );
  }
  lines.push('threats:');
  const categories = ['spoofing', 'tampering', 'repudiation', 'information-disclosure', 'denial-of-service', 'elevation-of-privilege'];
  for (let c = 0; c < n; c++) {
    for (let k = 0; k < 3; k++) {
      lines.push(
        `  - id: threat-${c}-${k}`,
        `    title: Threat ${k} against component ${c}`,
        `    category: ${categories[(c + k) % 6]}`,
        `    targets: [comp-${c}]`,
        `    severity: ${pick(['low', 'medium', 'high', 'critical'])}`,
        `    status: ${pick(['open', 'mitigated', 'in-progress'])}`,
        `    mitigations: [mit-${(c + k) % mitigationCount}]`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

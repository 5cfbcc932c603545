/** An Open Threat Model file of one component with `n` threats, each with its own mitigation: large imports. */
export function generateOtm(n: number): Record<string, unknown> {
  return {
    otmVersion: '0.2.0',
    project: { name: 'P', id: 'p' },
    trustZones: [{ id: 'z', name: 'Z', risk: { trustRating: 50 } }],
    components: [
      {
        id: 'c',
        name: 'C',
        parent: { trustZone: 'z' },
        threats: Array.from({ length: n }, (_, i) => ({
          threat: `t${i}`,
          state: 'exposed',
          mitigations: [{ mitigation: `m${i}`, state: 'required' }],
        })),
      },
    ],
    threats: Array.from({ length: n }, (_, i) => ({
      id: `t${i}`,
      name: `Threat ${i}`,
      categories: ['Spoofing'],
      risk: { likelihood: 50, impact: 50 },
    })),
    mitigations: Array.from({ length: n }, (_, i) => ({ id: `m${i}`, name: `Mitigation ${i}`, riskReduction: 50 })),
  };
}

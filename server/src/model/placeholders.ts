/**
 * The texts quick fixes insert where only a person can say something: why a finding does not apply, why a risk is
 * acceptable, who accepted it. Editors put the cursor on them to type over; a model that still holds one is flagged
 * (`placeholder-text`), in the editor and in `threatcode check`, so that no decision is recorded without its reason.
 * Each is a plain YAML scalar (no quotes, colons or hashes) so it can stand anywhere a value can.
 */
export const PLACEHOLDER = {
  notApplicable: 'Explain why this does not apply here.',
  disabledRule: 'Explain why this rule does not apply here.',
  acceptance: 'Explain why this risk is acceptable until it expires.',
  acceptedBy: 'Name who accepts this risk.',
} as const;

const PLACEHOLDERS: ReadonlySet<string> = new Set(Object.values(PLACEHOLDER));

export function isPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && PLACEHOLDERS.has(value.trim());
}

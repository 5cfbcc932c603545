/**
 * What a finding says to a person must not be the rule engine talking: no operators, no fact names, no "unset", no
 * STRIDE letter tags, no template holes. One check, used wherever findings are shown (core, protocol, CLI).
 */
import * as assert from 'node:assert/strict';

const ENGINE_VOCABULARY: readonly RegExp[] = [
  /[=≠≥≤]/,
  /\bis unset\b/,
  /\bApplies because\b/,
  /\bCovered when\b/,
  /\b(crossesBoundary|crossesIntoHigherTrust|maxClassification|hasThreats|hasFlows|hasPersonalData|internetFacing|isCall)\b/,
  /\b(sensitive|authenticated|encrypted|local|referenced|trust) (=|is) (true|false)\b/,
  /\[[STRIDE]{1,6}\]/,
  /[{}]/,
  /\?\s|\?$/,
  /\bundefined\b|\bnull\b|\[object /,
];

export function assertPlainLanguage(text: string, what = 'text'): void {
  for (const pattern of ENGINE_VOCABULARY) assert.doesNotMatch(text, pattern, `${what} speaks the engine's language: ${text}`);
}

/** A finding's message: one sentence, plain words. */
export function assertFindingMessage(message: string): void {
  assertPlainLanguage(message, 'message');
  assert.match(message, /^[A-Z0-9].*\.$/s, `one sentence that starts with a capital and ends with a full stop: ${message}`);
  assert.doesNotMatch(message, /\.\s+[A-Z]/, `one sentence, not several: ${message}`);
  assert.doesNotMatch(message, /\n/, `one line: ${message}`);
}

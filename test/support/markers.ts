/**
 * Test texts mark the expected range with ⟦ and ⟧ so that a case reads like the document it describes.
 * These characters never appear in real models.
 */
import type { Span } from '../../server/src/model/types';

export const OPEN = '⟦';
export const CLOSE = '⟧';

export function extractMarkers(marked: string): { text: string; span: Span | undefined } {
  const start = marked.indexOf(OPEN);
  if (start < 0) return { text: marked, span: undefined };
  const withoutOpen = marked.slice(0, start) + marked.slice(start + 1);
  const end = withoutOpen.indexOf(CLOSE);
  if (end < 0) throw new Error(`unbalanced markers in ${marked}`);
  return { text: withoutOpen.slice(0, end) + withoutOpen.slice(end + 1), span: { start, end } };
}

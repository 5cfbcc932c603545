/**
 * What is at an offset: the YAML path, whether the cursor is on a key or a value, and the model element around it.
 */
import { isMap, isScalar, isSeq, type Pair } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { resolve } from './parse';
import { type Element, type SectionName, SECTIONS, type Span, type ThreatModel } from './types';

export interface Located {
  /** Path of the key or value under the cursor, e.g. ['threats', 2, 'status']. */
  readonly path: readonly (string | number)[];
  /** The scalar under the cursor, if any. */
  readonly scalar: { readonly value: unknown; readonly span: Span } | undefined;
  readonly onKey: boolean;
  /** The top-level element (list item of a section) that contains the offset. */
  readonly element: Element | undefined;
}

function contains(node: YamlNode | null | undefined, offset: number): boolean {
  const r = node?.range;
  return !!r && r[0] <= offset && offset <= r[1];
}

export function locateOffset(doc: Document.Parsed, model: ThreatModel | undefined, offset: number): Located {
  const path: (string | number)[] = [];
  let node: unknown = doc.contents;
  let scalar: Located['scalar'];
  let onKey = false;
  for (let depth = 0; depth < 64; depth++) {
    node = resolve(doc, node);
    if (isMap(node)) {
      const pair = node.items.find((p: Pair) => contains(p.key as YamlNode, offset) || contains(p.value as YamlNode, offset));
      if (!pair || !isScalar(pair.key)) break;
      path.push(String(pair.key.value));
      if (contains(pair.key, offset)) {
        onKey = true;
        scalar = { value: pair.key.value, span: { start: pair.key.range![0], end: pair.key.range![1] } };
        break;
      }
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(resolve(doc, item) as YamlNode, offset));
      if (index < 0) break;
      path.push(index);
      node = node.items[index];
    } else {
      if (isScalar(node) && node.range) scalar = { value: node.value, span: { start: node.range[0], end: node.range[1] } };
      break;
    }
  }
  let element: Element | undefined;
  if (model && typeof path[0] === 'string' && (SECTIONS as readonly string[]).includes(path[0]) && typeof path[1] === 'number') {
    element = (model[path[0] as SectionName] as readonly Element[]).find((e) => e.index === path[1]);
  }
  return { path, scalar, onKey, element };
}

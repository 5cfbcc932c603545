/**
 * Applies fixture edits to a model's text through the yaml Document API.
 * Paths: section.id.property.path; `section.id: null` deletes an element; `section.+` appends one; null deletes.
 */
import { isMap, isSeq, parseDocument, type YAMLMap, YAMLSeq } from 'yaml';

export function applyEdits(text: string, edits: Readonly<Record<string, unknown>>): string {
  const doc = parseDocument(text);
  for (const [path, value] of Object.entries(edits)) {
    const [section, id, ...rest] = path.split('.');
    let seq = doc.get(section, true);
    if (!isSeq(seq)) {
      seq = new YAMLSeq();
      doc.set(section, seq);
    }
    const list = seq as YAMLSeq;
    if (id === '+') {
      list.add(doc.createNode(value));
      continue;
    }
    const index = list.items.findIndex((item) => isMap(item) && item.get('id') === id);
    if (index < 0) throw new Error(`fixture edit ${path}: no ${section} with id ${id}`);
    if (rest.length === 0) {
      if (value !== null) throw new Error(`fixture edit ${path}: only null (delete) is allowed for a whole element`);
      list.delete(index);
      continue;
    }
    const item = list.items[index] as YAMLMap;
    if (value === null) item.deleteIn(rest);
    else item.setIn(rest, doc.createNode(value));
  }
  return doc.toString();
}

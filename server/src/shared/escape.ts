/** Escaping for the text formats model strings end up in: every string from a model is untrusted input. */

/** Escapes text for Markdown so that model strings render as plain text. */
export function escapeMarkdown(text: unknown): string {
  return (
    String(text)
      .replace(/\r?\n/g, ' ')
      // Characters that start emphasis, code, links, images, tables, headings or HTML anywhere in a line.
      .replace(/[\\`*_[\]|~#!]/g, (c) => `\\${c}`)
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // List markers only matter at the start.
      .replace(/^(\s*)([-+]|\d+[.)])/, (_, space: string, marker: string) => `${space}${marker.replace(/([-+.)])$/, '\\$1')}`)
  );
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

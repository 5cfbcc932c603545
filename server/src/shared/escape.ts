/** Escaping for the text formats model strings end up in: every string from a model is untrusted input. */

/** Escapes text for Markdown so that model strings render as plain text. */
export function escapeMarkdown(text: unknown): string {
  return (
    String(text)
      // Every line ending CommonMark knows (a lone CR forged headings and ended table rows), and other control characters.
      // eslint-disable-next-line no-control-regex -- control characters are what must not reach the Markdown raw
      .replace(/[\r\n\u2028\u2029\u0085\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]+/g, ' ')
      // Characters that start emphasis, code, links, images, tables, headings or HTML anywhere in a line.
      .replace(/[\\`*_[\]|~#!]/g, (c) => `\\${c}`)
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // List markers only matter at the start.
      .replace(/^(\s*)([-+]|\d+[.)])/, (_, space: string, marker: string) => `${space}${marker.replace(/([-+.)])$/, '\\$1')}`)
  );
}

/**
 * Text for an inline code span (a file name) in Markdown, with its backticks: line endings and control characters
 * become spaces (a line break ended the table row and let the rest of a name be raw HTML), backticks become `'` (a
 * span cannot escape them), and `|` is escaped (GitHub's tables split cells on it even inside code).
 */
export function markdownCode(text: unknown): string {
  const inner = String(text)
    // eslint-disable-next-line no-control-regex -- control characters are what must not reach the Markdown raw
    .replace(/[\r\n\u2028\u2029\u0085\u0000-\u001F\u007F]+/g, ' ')
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|');
  return `\`${inner}\``;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

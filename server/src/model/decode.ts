/**
 * Bytes from disk -> model text. Editors decode for the server; the CLI and benchmarks read files themselves and
 * must refuse what an editor would show as garbage.
 */
import { type CoreDiagnostic, DiagnosticCode } from './diagnostics';

export type Decoded =
  { readonly text: string; readonly diagnostic?: undefined } | { readonly text?: undefined; readonly diagnostic: CoreDiagnostic };

export function decodeModelBytes(bytes: Uint8Array): Decoded {
  try {
    // fatal: invalid UTF-8 is an error, not silently replaced. A BOM is dropped, as VS Code drops it from a document's
    // text: the CLI's line 1 columns then match the editor's (they were one higher).
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return {
      diagnostic: {
        code: DiagnosticCode.InvalidEncoding,
        severity: 'error',
        message: 'This file is not valid UTF-8 text. Threat models are UTF-8 YAML.',
        span: { start: 0, end: 0 },
      },
    };
  }
}

/**
 * Language servers over stdio, as an editor drives them: didOpen → diagnostics, then one-character didChange →
 * diagnostics, and the server's resident memory (RSS) after the open and after the edits. Runs our server and
 * yaml-language-server (with our JSON Schema) on the same text and the same edits.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVER_EXEC_ARGV, StatusRequest } from '../../server/src/shared/protocol';
import { type Published, SERVER_PATH, TestLspClient } from '../support/lsp-client';
import { type Stat, stat } from './stats';
import { REPO_ROOT } from '../support/paths';

const SCHEMA_URI = pathToFileURL(path.join(REPO_ROOT, 'schemas/threatmodel.schema.json')).href;
const YAML_LS = path.join(REPO_ROOT, 'node_modules/yaml-language-server/bin/yaml-language-server');

export type ServerName = 'threatcode' | 'yaml-language-server';

export interface ServerRun {
  readonly server: ServerName;
  /** didOpen → first diagnostics. */
  readonly open?: Stat;
  /** didChange (one character) → diagnostics for that version. */
  readonly edit?: Stat;
  /** Ours only: the server's own time for those edits (analysis and conversion to LSP), from threatcode/status. */
  readonly serverEdit?: Stat;
  /** Ours only: share of the edits analysed incrementally. */
  readonly incrementalShare?: number;
  /** Diagnostics the last publication held. */
  readonly diagnostics?: number;
  readonly rssAfterOpenMB?: number;
  readonly rssAfterEditsMB?: number;
  /** RSS sampled after each edit: it rises and falls with garbage collection, one sample can mislead. */
  readonly rssDuringEdits?: Stat;
  /** Ours only: requests an editor sends while one types, at the component in the middle (after the edits). */
  readonly requests?: Readonly<Record<RequestName, Stat>>;
  /** Why the run stopped early (the server exited, or did not answer in time). */
  readonly failed?: string;
}

/** Our debounce is a setting; the benchmark sets it to 0 so that the edit numbers are the work alone. */
export const OUR_DEBOUNCE_MS = 150;

export async function measureServer(
  server: ServerName,
  text: string,
  options: { edits: number; opens: number; timeoutMs: number; requests?: number },
): Promise<ServerRun> {
  const client =
    server === 'threatcode'
      ? new TestLspClient(
          { validationDelay: 0, maxFileSizeMB: 64 },
          {},
          { args: [...SERVER_EXEC_ARGV, SERVER_PATH, '--stdio'], keepPublished: false },
        )
      : new TestLspClient(
          {},
          {},
          { args: [YAML_LS, '--stdio'], languageId: 'yaml', configuration: yamlLsConfiguration, keepPublished: false },
        );
  const opens: number[] = [];
  const edits: number[] = [];
  const serverEdits: number[] = [];
  const rssSamples: number[] = [];
  let incremental = 0;
  let rssAfterOpenMB: number | undefined;
  let rssAfterEditsMB: number | undefined;
  let last: Published | undefined;
  const within = <T>(what: string, p: Promise<T>): Promise<T> =>
    Promise.race([
      p,
      new Promise<T>((_, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${what}: no diagnostics within ${options.timeoutMs / 1000} s`)),
          options.timeoutMs,
        );
        const poll = setInterval(() => {
          if (client.exited !== undefined) reject(new Error(`${what}: the server exited (${client.exited}); ${lastLine(client.stderr)}`));
        }, 100);
        void p.finally(() => (clearTimeout(timer), clearInterval(poll)));
      }),
    ]);
  try {
    await client.initialize();
    if (server === 'yaml-language-server') {
      // yaml-language-server pulls its settings when told they changed.
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    }
    let uri = '';
    for (let i = 0; i < options.opens; i++) {
      if (uri) await close(client, uri);
      uri = `file:///bench/model-${i}.tm.yaml`;
      const t0 = performance.now();
      last = await within(
        'open',
        publication(client, server, uri, () => client.open(uri, text, 1)),
      );
      opens.push(performance.now() - t0);
    }
    rssAfterOpenMB = rssMB(client.pid);

    // One character typed into, then deleted from, a component name in the middle of the file.
    const at = middleComponentName(text);
    const position = positionAt(text, at);
    for (let version = 2; version < 2 + options.edits; version++) {
      const insert = version % 2 === 0;
      const change = insert
        ? { range: { start: position, end: position }, text: 'x' }
        : { range: { start: position, end: { line: position.line, character: position.character + 1 } }, text: '' };
      const t0 = performance.now();
      last = await within(
        'edit',
        publication(client, server, uri, () => client.change(uri, version, [change])),
      );
      edits.push(performance.now() - t0);
      const rss = rssMB(client.pid);
      if (rss !== undefined) rssSamples.push(rss);
      if (server === 'threatcode') {
        const status = await client.connection.sendRequest(StatusRequest);
        if (status.lastPublication?.version === version) {
          serverEdits.push(status.lastPublication.analysisMs + status.lastPublication.conversionMs);
          if (status.lastPublication.incremental) incremental++;
        }
      }
    }
    rssAfterEditsMB = rssMB(client.pid);
    const requests = server === 'threatcode' ? await measureRequests(client, uri, text, last, options.requests ?? 5) : undefined;
    return {
      server,
      open: stat(opens),
      edit: stat(edits),
      ...(serverEdits.length ? { serverEdit: stat(serverEdits), incrementalShare: incremental / edits.length } : {}),
      diagnostics: last?.diagnostics.length,
      rssAfterOpenMB,
      rssAfterEditsMB,
      ...(rssSamples.length ? { rssDuringEdits: stat(rssSamples) } : {}),
      ...(requests ? { requests } : {}),
    };
  } catch (e) {
    return {
      server,
      open: opens.length ? stat(opens) : undefined,
      edit: edits.length ? stat(edits) : undefined,
      rssAfterOpenMB,
      failed: e instanceof Error ? e.message : String(e),
    };
  } finally {
    if (client.exited === undefined) await client.stop();
  }
}

export type RequestName = 'completion' | 'hover' | 'codeAction' | 'documentSymbol';

/**
 * Requests an editor sends while one types, each `runs` times at the component in the middle of the file (the text is
 * the opened one again after an even number of edits): key completion on its `kind:` line, hover on its id, the
 * lightbulb's code actions on its id (with the diagnostics published there), the outline.
 */
async function measureRequests(
  client: TestLspClient,
  uri: string,
  text: string,
  last: Published | undefined,
  runs: number,
): Promise<Record<RequestName, Stat>> {
  const name = middleComponentName(text);
  const idLine = text.lastIndexOf('  - id: comp-', name);
  const kindLine = text.indexOf('    kind: ', name);
  const idRange = { start: positionAt(text, idLine + '  - id: '.length), end: positionAt(text, text.indexOf('\n', idLine)) };
  const atId = (d: { range: { start: { line: number } } }) => d.range.start.line === idRange.start.line;
  const textDocument = { uri };
  const probes: Record<RequestName, () => Promise<unknown>> = {
    completion: () =>
      client.connection.sendRequest('textDocument/completion', { textDocument, position: positionAt(text, kindLine + '    ki'.length) }),
    hover: () => client.connection.sendRequest('textDocument/hover', { textDocument, position: idRange.start }),
    codeAction: () =>
      client.connection.sendRequest('textDocument/codeAction', {
        textDocument,
        range: idRange,
        context: { diagnostics: (last?.diagnostics ?? []).filter(atId) },
      }),
    documentSymbol: () => client.connection.sendRequest('textDocument/documentSymbol', { textDocument }),
  };
  const out = {} as Record<RequestName, Stat>;
  for (const [request, send] of Object.entries(probes) as [RequestName, () => Promise<unknown>][]) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const answer = await send();
      times.push(performance.now() - t0);
      // A fast empty answer would measure nothing.
      const empty =
        answer === null || (Array.isArray(answer) && answer.length === 0) || (answer as { items?: unknown[] }).items?.length === 0;
      if (empty) throw new Error(`${request}: the server answered nothing`);
    }
    out[request] = stat(times);
  }
  return out;
}

/**
 * The diagnostics that answer a notification. Ours are tagged with the document version; yaml-language-server's
 * are not, so for it the next publication for the document after sending counts.
 */
function publication(client: TestLspClient, server: ServerName, uri: string, send: () => Promise<Published>): Promise<Published> {
  if (server === 'threatcode') return send();
  const next = client.next((p) => p.uri === uri);
  void send().catch(() => undefined);
  return next;
}

async function close(client: TestLspClient, uri: string): Promise<void> {
  await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
}

function yamlLsConfiguration(section: string | undefined): unknown {
  switch (section) {
    case 'yaml':
      return {
        validate: true,
        hover: true,
        completion: true,
        schemas: { [SCHEMA_URI]: '*.tm.yaml' },
        schemaStore: { enable: false },
        format: { enable: false },
      };
    case 'http':
      return { proxy: '', proxyStrictSSL: false };
    case 'editor':
      return { tabSize: 2 };
    default:
      return null;
  }
}

/** Where the benchmark types: inside the name of the component in the middle of the components section. */
export function middleComponentName(text: string): number {
  const n = (text.match(/^ {2}- id: comp-/gm) ?? []).length;
  const line = `    name: Component ${Math.floor(n / 2)}\n`;
  const at = text.indexOf(line);
  if (at < 0) throw new Error('no component name to edit');
  return at + '    name: Component'.length;
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

/** Resident memory of a process in MB (Linux /proc); undefined elsewhere. */
export function rssMB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1]?.slice(0, 200) ?? '';
}

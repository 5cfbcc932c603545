/** `threatcode/status`: what the server holds, for diagnosing memory use (tests and the benchmark ask). */
import type { Connection } from 'vscode-languageserver/node';
import { type ServerStatus, StatusRequest } from '../shared/protocol';

type Holdings = Pick<ServerStatus, 'openDocuments' | 'cachedAnalyses' | 'analysesComputed' | 'diagnostics' | 'lastPublication'>;

export function registerStatusRequest(connection: Connection, version: string, holdings: () => Holdings): void {
  connection.onRequest(StatusRequest, (): ServerStatus => {
    // Only with --expose-gc (tests): the numbers then show live memory, not garbage waiting for collection.
    (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    const mb = (bytes: number) => bytes / (1024 * 1024);
    return {
      version,
      ...holdings(),
      heapUsedMB: mb(memory.heapUsed),
      heapTotalMB: mb(memory.heapTotal),
      externalMB: mb(memory.external),
      rssMB: mb(memory.rss),
    };
  });
}

/**
 * The files the workspace's models live in, as the core sees them: by URI, through a port the edge implements
 * (files/node-file-system.ts on Node.js; a browser build implements it over the editor's file system). Nothing that
 * uses this interface touches Node's `fs`.
 */

/** Whether a path (relative to a workspace folder, with forward slashes) is excluded, as the editor's files.exclude. */
export type ExcludePredicate = (relative: string, isFolder: boolean) => boolean;

/** What identifies one state of a file: it changes when the file is written. */
export interface FileStamp {
  readonly stamp: string;
  readonly size: number;
}

export type BytesRead =
  | { readonly bytes: Uint8Array }
  /** Not read, and why, in a sentence that names the file by its name (not its whole path). */
  | { readonly refused: string }
  /** Not read: larger than the limit (its size in bytes). */
  | { readonly tooLarge: number };

export interface FileSystem {
  /** The stamp of a regular file, undefined when there is none (missing, a folder, a device). */
  stat(uri: string): FileStamp | undefined;
  /**
   * The bytes of a regular file of at most `maxBytes` that lies inside the folder `within` (a URI) once links are
   * resolved, or why not.
   */
  read(uri: string, within: string, maxBytes: number): BytesRead;
  /** The model files (`*.tm.yaml`, `*.tm.yml`) under a folder, as URIs, in a stable order. */
  findModels(folder: string, excluded: ExcludePredicate | undefined): string[];
}

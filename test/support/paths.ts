/** Where things are, for tests compiled to out/test/…: the repository root and its folders. */
import * as path from 'node:path';

/** The repository root (this file runs from out/test/support/). */
export const REPO_ROOT = path.join(__dirname, '../../..');
export const DIST = path.join(REPO_ROOT, 'dist');
export const EXAMPLES = path.join(REPO_ROOT, 'examples');
/** The compiled tests and sources (out/). */
export const OUT = path.join(REPO_ROOT, 'out');

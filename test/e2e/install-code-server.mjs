// Installs the pinned code-server (VS Code 1.100 in the browser, with a real Node extension host) into a cache
// folder used only by the end-to-end tests. Works offline from the npm registry: @vscode/ripgrep's postinstall would
// download ripgrep from GitHub, so its download cache is pre-filled with the system's `rg` (Debian package ripgrep).
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
// The @vscode/ripgrep version that code-server 4.100.3's VS Code depends on, and the ripgrep build it fetches.
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const cacheDir = path.join(root, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
export const codeServerBin = path.join(cacheDir, 'node_modules', '.bin', 'code-server');

export function installCodeServer() {
  if (existsSync(path.join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'))) return;
  const rg = execSync('command -v rg', { encoding: 'utf8' }).trim();
  if (!rg) throw new Error('ripgrep (rg) is needed: apt-get install ripgrep');
  const tmp = process.env.TMPDIR || tmpdir();
  const rgCache = path.join(tmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  mkdirSync(rgCache, { recursive: true });
  const staging = mkdtempSync(path.join(tmp, 'rg-'));
  copyFileSync(rg, path.join(staging, 'rg'));
  execFileSync('tar', ['-czf', path.join(rgCache, RIPGREP_ASSET), '-C', staging, 'rg']);
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(path.join(cacheDir, 'package.json'), '{ "private": true }\n');
  const xdg = path.join(cacheDir, 'xdg');
  console.log(`Installing code-server ${CODE_SERVER_VERSION} into ${path.relative(root, cacheDir)} (about a minute, once)...`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--unsafe-perm', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: cacheDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    // node-pty's install runs `npx node-gyp`, which would stop at a prompt without npm_config_yes. code-server's
    // postinstall refuses to run as root without --unsafe-perm (npm 11 warns that it does not know the flag, but
    // passes it on to the script's environment).
    env: { ...process.env, npm_config_yes: 'true', XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: xdg, XDG_CACHE_HOME: xdg },
  });
}

if (process.argv[1] === new URL(import.meta.url).pathname) installCodeServer();

/**
 * A Go module proxy on disk (GOPROXY=file://…) holding one tiny module, so `go install
 * module@version` runs for real with no network. Layout per the GOPROXY protocol:
 * <module>/@v/{list, <v>.info, <v>.mod, <v>.zip}, the zip's entries under `<module>@<v>/`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { zip } from './archives.js';

export const HELLO_MODULE = 'example.com/hello';
export const HELLO_VERSION = 'v1.0.0';

const GO_MOD = `module ${HELLO_MODULE}\n\ngo 1.22\n`;
// `version` is set through -ldflags, as PocketBase's release build does.
const MAIN_GO = `package main

import (
\t"fmt"
\t"os"
)

var version = "(untracked)"

func main() {
\tfmt.Printf("%s version %s\\n", "hello", version)
\tos.Exit(0)
}
`;

export async function writeGoProxy(dir: string): Promise<string> {
  const base = path.join(dir, HELLO_MODULE, '@v');
  await fs.mkdir(base, { recursive: true });
  const prefix = `${HELLO_MODULE}@${HELLO_VERSION}`;
  await fs.writeFile(path.join(base, 'list'), `${HELLO_VERSION}\n`);
  await fs.writeFile(path.join(base, `${HELLO_VERSION}.info`), JSON.stringify({ Version: HELLO_VERSION, Time: '2024-01-01T00:00:00Z' }));
  await fs.writeFile(path.join(base, `${HELLO_VERSION}.mod`), GO_MOD);
  await fs.writeFile(
    path.join(base, `${HELLO_VERSION}.zip`),
    await zip([
      { name: `${prefix}/go.mod`, body: GO_MOD, mode: 0o644 },
      { name: `${prefix}/main.go`, body: MAIN_GO, mode: 0o644 },
    ]),
  );
  return `file://${dir}`;
}

/** The environment `go` needs here: the file proxy, a throw-away module cache, the warm build cache. */
export function goEnv(proxy: string, modCache: string): Record<string, string> {
  return {
    GOPROXY: proxy,
    GOSUMDB: 'off',
    GOMODCACHE: modCache,
    GOFLAGS: '-modcacherw', // so the temp module cache can be deleted
    GOTOOLCHAIN: 'local',
    GOCACHE: execFileSync('go', ['env', 'GOCACHE'], { encoding: 'utf8' }).trim(),
  };
}

/**
 * The host platform in Go's words ({os}, {arch} in URL templates), and template expansion.
 * Pure.
 */

export interface Platform {
  /** Go's GOOS: linux, darwin, windows, … */
  readonly os: string;
  /** Go's GOARCH: amd64, arm64, … */
  readonly arch: string;
}

const GO_OS: Readonly<Record<string, string>> = {
  linux: 'linux',
  darwin: 'darwin',
  win32: 'windows',
  freebsd: 'freebsd',
  openbsd: 'openbsd',
};

const GO_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  riscv64: 'riscv64',
  ppc64: 'ppc64le',
  s390x: 's390x',
};

/** Node's `process.platform`/`process.arch` in Go's names (unknown ones pass through). */
export function goPlatform(nodePlatform: string = process.platform, nodeArch: string = process.arch): Platform {
  return { os: GO_OS[nodePlatform] ?? nodePlatform, arch: GO_ARCH[nodeArch] ?? nodeArch };
}

const NODE_NAME: Readonly<Record<string, string>> = Object.fromEntries([...Object.entries(GO_OS), ...Object.entries(GO_ARCH)].map(([node, go]) => [go, node]));

/**
 * A download source's renames (`"os": {"darwin": "mac"}`). Keys may be Go or Node names
 * (`amd64` or `x64`): both read naturally in a manifest.
 */
export function renamePlatform(platform: Platform, renames: { readonly os?: Readonly<Record<string, string>>; readonly arch?: Readonly<Record<string, string>> }): Platform {
  const pick = (value: string, table: Readonly<Record<string, string>> | undefined) => table?.[value] ?? table?.[NODE_NAME[value] ?? ''] ?? value;
  return { os: pick(platform.os, renames.os), arch: pick(platform.arch, renames.arch) };
}

export interface TemplateVars {
  readonly version: string;
  readonly os: string;
  readonly arch: string;
}

/** Replace {version}, {os} and {arch}. Any other `{word}` is left alone. */
export function expandTemplate(template: string, vars: TemplateVars): string {
  return template.replace(/\{(version|os|arch)\}/g, (_, key: keyof TemplateVars) => vars[key]);
}

/** The key of a download's pinned `sha256` map: `{os}_{arch}` after renames. */
export function platformKey(platform: Platform): string {
  return `${platform.os}_${platform.arch}`;
}

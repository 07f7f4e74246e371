/**
 * Directories the program writes to (data, state, log), made and checked in a bounded number
 * of steps.
 *
 * Node's `mkdir(dir, { recursive: true })` never returns when a parent exists but cannot hold
 * children: under /proc, `mkdir` of a missing child fails with ENOENT, which the recursive
 * walk reads as "the parent is missing", so it makes the parent (EEXIST, fine) and tries the
 * child again, for ever, at full CPU (https://github.com/Kewton/CommandMate/issues/1774 has
 * the measurements; the same loop in Bun: https://github.com/oven-sh/bun/pull/40600). Here
 * each missing component is made once, from the deepest existing ancestor down, and every
 * failure says which path is wrong and how.
 */
import { accessSync, constants, lstatSync, mkdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

/** A directory that cannot be used; `problem` says why, naming the path at fault. */
export class DirectoryError extends Error {
  override name = 'DirectoryError';
  constructor(
    readonly dir: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${dir} cannot be used: ${problem}`, options);
  }
}

/**
 * Make `dir` (and its missing parents, with `mode`) and check that files can be created in
 * it. Returns its absolute path; throws {@link DirectoryError}. Synchronous: a handful of
 * system calls at start-up, before anything else runs.
 */
export function ensureDirectory(dir: string, mode = 0o700): string {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let current = target;
  for (;;) {
    let stats: Stats;
    try {
      stats = statSync(current);
    } catch (error) {
      const code = errnoOf(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new DirectoryError(target, describe(current, error), { cause: error });
      const link = danglingLink(current);
      if (link !== undefined) throw new DirectoryError(target, `${current} is a symbolic link to ${link}, which does not exist`, { cause: error });
      const parent = path.dirname(current);
      if (parent === current) throw new DirectoryError(target, describe(current, error), { cause: error });
      missing.push(current);
      current = parent;
      continue;
    }
    if (!stats.isDirectory()) throw new DirectoryError(target, `${current} is ${kindOf(stats)}, not a directory`);
    break;
  }
  for (const next of missing.reverse()) {
    try {
      mkdirSync(next, { mode });
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'EEXIST' && isDirectory(next)) continue;
      // Under /proc or /sys a new name fails with ENOENT (or EPERM) although the parent is there.
      if (code === 'ENOENT') throw new DirectoryError(target, `directories cannot be created in ${path.dirname(next)}`, { cause: error });
      throw new DirectoryError(target, describe(next, error, 'cannot be created'), { cause: error });
    }
  }
  try {
    // W_OK is what the kernel would check on a create: a read-only mount (EROFS), an immutable
    // directory (EPERM, also for root) or missing permission bits (EACCES; root passes those).
    accessSync(target, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new DirectoryError(target, describe(target, error, 'is not writable'), { cause: error });
  }
  return target;
}

function danglingLink(p: string): string | undefined {
  try {
    if (!lstatSync(p).isSymbolicLink()) return undefined;
    return readlinkSync(p);
  } catch {
    return undefined;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a file';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a directory';
}

/** `<path> <verb> (<what the error code means>)`, without the Node error's own wording. */
function describe(p: string, error: unknown, verb = 'cannot be used'): string {
  const code = errnoOf(error);
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a part of the path is not a directory',
    ENOENT: 'it does not exist',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'the name is too long',
  };
  return `${p} ${verb} (${(code !== undefined ? why[code] : undefined) ?? code ?? (error instanceof Error ? error.message : String(error))})`;
}

export function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

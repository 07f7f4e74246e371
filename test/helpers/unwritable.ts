/**
 * Make saves into a folder fail, the way a read-only folder does, also when the tests run as
 * root (where a chmod does not stop writes). Returns the undo.
 *
 * - not root: `chmod 0500` (EACCES);
 * - root: `chattr +i`, the immutable attribute, which stops root too (EPERM), where the file
 *   system and the capabilities allow it;
 * - else, with `pid`: a folder where that process's temporary file goes
 *   (`.<name>.<pid>.tmp`, see src/runtime/atomic-file.ts), so its save fails (EISDIR) as a
 *   full disk or a read-only folder would, at the same step.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export function blockSaves(file: string, pid?: number): { how: string; undo: () => void } {
  const folder = path.dirname(file);
  if (process.getuid?.() !== 0) {
    chmodSync(folder, 0o500);
    return { how: 'chmod', undo: () => chmodSync(folder, 0o700) };
  }
  try {
    execFileSync('chattr', ['+i', folder], { stdio: 'ignore' });
    return { how: 'chattr', undo: () => execFileSync('chattr', ['-i', folder], { stdio: 'ignore' }) };
  } catch {
    if (pid === undefined) throw new Error(`cannot make ${folder} unwritable as root without chattr; pass the pid of the process whose saves should fail`);
    const temp = path.join(folder, `.${path.basename(file)}.${pid}.tmp`);
    mkdirSync(temp);
    return { how: 'temp folder', undo: () => rmSync(temp, { recursive: true, force: true }) };
  }
}

/** A folder where process `pid`'s temporary file for `file` goes: its saves of `file` fail (EISDIR), whatever the user. */
export function blockSavesOf(file: string, pid: number): () => void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${pid}.tmp`);
  mkdirSync(temp);
  return () => rmSync(temp, { recursive: true, force: true });
}

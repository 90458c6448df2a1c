import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ExitCode, UserError } from '../errors.js';

/**
 * Reads an input file only when it is a regular file of a sane size. A FIFO would block the command for ever,
 * /dev/zero would fill memory until "Invalid string length", a directory gives EISDIR: each is refused up front
 * with a line that names the input and what to pass instead.
 */
export async function readRegularFile(path: string, o: { what: string; maxBytes: number; fix: string }): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${o.what} file not found: ${path}` : `cannot read ${o.what} ${path}: ${code ?? (e as Error).message}`);
  }
  if (info.isDirectory()) throw new UserError(`${o.what} ${path} is a directory, not a file: ${o.fix}`);
  if (!info.isFile()) throw new UserError(`${o.what} ${path} is not a regular file (a pipe, socket or device is never read): ${o.fix}`);
  if (info.size > o.maxBytes) throw new UserError(`${o.what} ${path} is ${mib(info.size)}, more than the ${mib(o.maxBytes)} a ${o.what} may have: ${o.fix}`);
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${o.what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function mib(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
}

/** Before any work: the file an output goes to must be creatable (its directory exists, it is not itself a directory). */
export async function checkOutputPath(path: string, flag: string): Promise<void> {
  if (!path) throw new UserError(`${flag} needs a file name`, ExitCode.usage);
  const dir = await stat(dirname(path)).catch(() => undefined);
  if (!dir?.isDirectory()) throw new UserError(`${flag} ${path}: directory ${dirname(path)} does not exist: create it first or choose another path`, ExitCode.usage);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new UserError(`${flag} ${path} is a directory: give a file name such as ${path.replace(/\/+$/, '')}/cluster.yaml`, ExitCode.usage);
}

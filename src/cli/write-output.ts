import { rename, rm, writeFile } from 'node:fs/promises';
import { UserError } from '../errors.js';

/**
 * Writes and waits until the text is handed over, so large documents are not cut off by process.exit. A reader
 * that went away (EPIPE) ends the wait too: the callback gets the error, and there is nobody left to tell.
 */
export async function writeStdout(text: string): Promise<void> {
  const out = process.stdout;
  if (out.destroyed || out.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done).off('error', done).off('close', done);
      resolve();
    };
    out.once('drain', done).once('error', done).once('close', done);
  });
}

/**
 * Writes a document the user asked for (plan file, snapshot) through a temporary file and a rename, so a reader
 * never sees half of it; a path that cannot be written is the user's to fix, reported in one line.
 */
export async function writeFileAtomic(path: string, text: string, mode: number, what: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text, { mode });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    throw new UserError(`cannot write ${what} ${path}: ${err.code ?? ''}${err.code ? ' ' : ''}${reason(err)}`);
  }
}

const reason = (e: NodeJS.ErrnoException) =>
  e.code === 'ENOENT' ? '(its directory does not exist)' : e.code === 'EACCES' ? '(permission denied)' : e.code === 'EISDIR' ? '(it is a directory)' : e.message;

/**
 * What a dead job's recorded error may show through the API. The worker stores the whole
 * stack (the logs and `psql` are where a developer digs); the API hands out less: every
 * operator gets the message, and only a caller allowed to retry jobs gets the frames, with
 * the server's directory layout taken out (where the code is installed is nobody's
 * business outside the machine, and it is noise to the reader anyway).
 */

/** A stack frame line as V8 writes it: `    at fn (/abs/file.js:1:2)` or `    at /abs/file.js:1:2`. */
const FRAME = /^\s*at\s/;
/**
 * An absolute file location inside a frame: a POSIX path or a file:// URL, starting a word
 * (so `node:internal/process/…` is left alone).
 */
const ABSOLUTE = /(?<=^|[\s(])(?:file:\/\/)?\/[^\s():]*/g;

/** The message: the first line, which is what went wrong. */
export function errorMessage(text: string | null): string | null {
  if (text === null) return null;
  return text.split('\n', 1)[0] ?? '';
}

/**
 * The frames of a recorded stack, one per line, each location made relative: to the
 * package's node_modules for a dependency, to the working directory for our own code, or
 * just the file's name for anything else. Null when there is no stack (a thrown string, a
 * one-line error).
 */
export function errorTrace(text: string | null, cwd: string = process.cwd()): string | null {
  if (text === null) return null;
  const frames = text
    .split('\n')
    .slice(1)
    .filter((line) => FRAME.test(line))
    .map((line) => line.trim().replace(ABSOLUTE, (path) => relativePath(path, cwd)));
  return frames.length === 0 ? null : frames.join('\n');
}

function relativePath(path: string, cwd: string): string {
  const plain = path.startsWith('file://') ? path.slice('file://'.length) : path;
  const dep = plain.lastIndexOf('/node_modules/');
  if (dep >= 0) return plain.slice(dep + 1);
  const root = cwd.endsWith('/') ? cwd : `${cwd}/`;
  if (plain.startsWith(root)) return plain.slice(root.length);
  return plain.slice(plain.lastIndexOf('/') + 1);
}

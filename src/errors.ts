/**
 * One error base for the whole project: every error a user can cause carries an HTTP status and a
 * stable machine-readable `code`; `expose` says whether its message may be shown to the caller.
 * The API turns these into RFC 9457 problem+json, the CLI into a one-line message and exit code.
 */
export class AppError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly expose: boolean;
  /** Optional structured details (field paths for validation errors, file/line for imports). */
  readonly details?: Record<string, unknown>;

  constructor(message: string, opts: { statusCode?: number; code?: string; expose?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.statusCode = opts.statusCode ?? 500;
    this.code = opts.code ?? 'internal';
    this.expose = opts.expose ?? this.statusCode < 500;
    this.details = opts.details;
  }
}

/** Bad input: malformed files, out-of-range parameters. */
export class InputError extends AppError {
  constructor(message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(message, { statusCode: 400, code: 'bad-input', details, cause });
  }
}

/** A file that could not be parsed: the message names the file, the line (when there is one) and the problem. */
export class ParseError extends InputError {
  readonly file: string;
  readonly line?: number;
  /** The field at fault when there is one (`weight`, `ties[3].p`). */
  readonly field?: string;
  constructor(file: string, line: number | undefined, problem: string, cause?: unknown, field?: string) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`, { file, line, ...(field !== undefined ? { field } : {}) }, cause);
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(message, { statusCode: 404, code: 'not-found' });
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(message, { statusCode: 409, code: 'conflict' });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(message, { statusCode: 413, code: 'payload-too-large' });
  }
}

export class UnsupportedMediaError extends AppError {
  constructor(message: string) {
    super(message, { statusCode: 415, code: 'unsupported-media-type' });
  }
}

/** Well-formed but unusable: e.g. LT in-weights summing above 1. */
export class UnprocessableError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { statusCode: 422, code: 'unprocessable', details });
  }
}

/** The disk is full (ENOSPC) or over quota (EDQUOT): 507, nothing partial is left behind. */
export class InsufficientStorageError extends AppError {
  constructor(message = 'the server has no disk space left to store this; free space or delete graphs, then retry', cause?: unknown) {
    super(message, { statusCode: 507, code: 'insufficient-storage', expose: true, cause });
  }
}

/** Errno codes of a full disk. */
export function isDiskFull(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** The caller cancelled the work (AbortSignal). */
export class CancelledError extends AppError {
  constructor(message = 'cancelled') {
    super(message, { statusCode: 499, code: 'cancelled' });
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

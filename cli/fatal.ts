// The last line of defence: an error nothing caught ends the process with one clear, redacted
// line on stderr, never a dump of the error object (which for a Web API error holds the
// request's Authorization header and form body, that is the token).

/** One line: the error's code (if any) and message, with no stack and no attached objects. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const text = typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
    return `${error.name === 'Error' ? '' : `${error.name}: `}${text}`.replace(/\s+/g, ' ').trim();
  }
  return String(error).replace(/\s+/g, ' ').trim();
}

export interface FatalHandlerOptions {
  redact: (text: string) => string;
  write?: (line: string) => void;
  exit?: (code: number) => void;
}

export function installFatalHandlers(options: FatalHandlerOptions): void {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const die = (kind: string) => (error: unknown) => {
    write(`${options.redact(`rollgate: ${kind}: ${describeError(error)}`)}\n`);
    exit(1);
  };
  process.on('uncaughtException', die('unexpected error, exiting'));
  process.on('unhandledRejection', die('unhandled rejection, exiting'));
}

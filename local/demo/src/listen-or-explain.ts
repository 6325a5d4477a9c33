// Listening on a port a person chose: taken, say so in one line with the way out (--port),
// instead of a stack trace.
export async function listenOrExplain<T>(command: string, port: number, listen: (port: number) => Promise<T>): Promise<T> {
  try {
    return await listen(port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    const why = code === 'EADDRINUSE' ? 'is in use (another demo still running?)' : 'needs privileges';
    process.stderr.write(`${command}: port ${port} ${why}; choose another with --port, e.g. ${command} --port ${port === 3000 ? 3100 : port + 1} (0 picks a free port)\n`);
    process.exit(1);
  }
}

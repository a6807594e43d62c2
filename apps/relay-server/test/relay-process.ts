/**
 * A real relay process (src/main.ts) as a child of this one: for kill -9 tests and the soak
 * (kept free of vitest so that tools can use it).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/**
 * A real relay process (src/main.ts) on 127.0.0.1, for kill -9 tests. `port` 0 = any free one;
 * give the same port again to restart "the same address" (clients reconnect on their own).
 * `env` adds to this process's environment (e.g. DATABASE_URL).
 */
export function startRelayProcess(
  dataDir: string,
  args: readonly string[] = [],
  port = 0,
  startTimeoutMs = 90_000,
  env: Readonly<Record<string, string>> = {},
): Promise<{ child: ChildProcess; url: string; port: number; stderr(): string }> {
  return new Promise((resolve, reject) => {
    const child = fork(
      MAIN,
      [
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--data-dir',
        dataDir,
        '--hash-every',
        '5',
        '--log-level',
        'warn',
        ...args,
      ],
      {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${startTimeoutMs} ms: ${stderr}`));
    }, startTimeoutMs);
    child.on('message', (m: { type?: string; url?: string; port?: number }) => {
      if (m.type === 'listening' && m.url) {
        clearTimeout(timer);
        resolve({ child, url: m.url, port: m.port ?? 0, stderr: () => stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

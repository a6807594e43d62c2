import { parseConfig, type RelayConfig } from './config.ts';
import { startRelayServer } from './server.ts';

/** `npm start -w @aikon/relay-server -- --port 8080 --data-dir ./data` */
async function main(): Promise<void> {
  let config: RelayConfig;
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const server = await startRelayServer(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'shutting down: closing lobbies and recordings');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Tell a parent process (tests, supervisors) where we listen.
  if (process.send) process.send({ type: 'listening', url: server.url, port: server.port });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

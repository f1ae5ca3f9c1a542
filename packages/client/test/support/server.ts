/**
 * A real tracking server for the client's tests: `startServer` from @cauce/server on a free loopback
 * port, a fresh SQLite file and artifact directory. Only tests import the server; the client's source
 * talks to it over HTTP like to any MLflow server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line no-restricted-imports -- tests start a real server; the client's src never imports it
import { startServer } from '@cauce/server';

export interface TestServer {
  url: string;
  dir: string;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'cauce-client-test-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    backendStoreUri: `sqlite:///${join(dir, 'mlflow.db')}`,
    artifactsDestination: join(dir, 'artifacts'),
  });
  return {
    url: server.url,
    dir,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

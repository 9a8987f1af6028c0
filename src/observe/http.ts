import { createServer, type Server } from 'node:http';
import type { ServerMetrics } from './metrics.js';

export interface HealthSource {
  /** Reasons the server is not healthy; empty when it is. */
  problems(): string[];
}

/** Serves `/metrics` (Prometheus text) and `/healthz` (200 "ok" or 503 with the reasons). */
export function startHttp(
  metrics: ServerMetrics,
  health: HealthSource,
  host: string,
  port: number,
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics.registry.render());
      return;
    }
    if (req.url === '/healthz') {
      const problems = health.problems();
      res.writeHead(problems.length ? 503 : 200, { 'content-type': 'text/plain' });
      res.end(problems.length ? `${problems.join('\n')}\n` : 'ok\n');
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** PostgreSQL and Redis for the stack: the ones that answer, else local ones we start (and stop). */
import { join } from 'node:path';
import type { Endpoints } from './endpoints';
import { redactUrl } from './endpoints';
import { dataDirMajor, findBinDirs, findOnPath, listClusters, startPostgres } from './local-postgres';
import { startRedis } from './local-redis';
import { probePostgres, probeRedis } from './probes';
import type { ServiceOrigin } from './summary';
import { planPostgres, planRedis, unavailableMessage } from './service-plan';
import { StackError } from './stack-error';
import type { Teardown } from './teardown';

/** Where `npm start` keeps the data of a PostgreSQL it initializes itself. */
export const LOCAL_PG_DIR = 'tmp/local/pg';

export async function prepareServices(options: {
  root: string;
  endpoints: Endpoints;
  teardown: Teardown;
  log: (line: string) => void;
}): Promise<{ postgres: ServiceOrigin; redis: ServiceOrigin }> {
  const { root, endpoints, teardown, log } = options;
  const [pgProbe, redisProbe] = await Promise.all([probePostgres(endpoints.postgres.url), probeRedis(endpoints.redis.url)]);
  const dataDir = join(root, LOCAL_PG_DIR);
  const pgPlan = planPostgres({
    endpoint: endpoints.postgres,
    probe: pgProbe,
    // Only look at the disk when we may have to start something.
    clusters: pgProbe.state === 'down' ? listClusters() : [],
    binDirs: pgProbe.state === 'down' ? findBinDirs() : [],
    dataDir,
    dataDirMajor: dataDirMajor(dataDir),
  });
  const redisPlan = planRedis({ endpoint: endpoints.redis, probe: redisProbe, serverPath: redisProbe.state === 'down' ? findOnPath('redis-server') : null });
  // Refuse before starting anything: a PostgreSQL started for nothing would be left to stop.
  const unavailable = unavailableMessage([pgPlan, redisPlan]);
  if (unavailable !== null) throw new StackError('services-unavailable', unavailable);

  let postgres: ServiceOrigin;
  if (pgPlan.kind === 'use') {
    postgres = { url: pgPlan.url, origin: 'found running' };
  } else if (pgPlan.kind === 'start') {
    log(`PostgreSQL does not answer at ${redactUrl(endpoints.postgres.url)} (${pgProbe.state === 'down' ? pgProbe.reason : ''}); starting a local one`);
    const started = await startPostgres(pgPlan.attempts, endpoints.postgres.url, log);
    teardown.add('PostgreSQL started here', () => started.stop());
    postgres = started;
  } else {
    throw new StackError('services-unavailable', pgPlan.problem);
  }

  let redis: ServiceOrigin;
  if (redisPlan.kind === 'use') {
    redis = { url: redisPlan.url, origin: 'found running' };
  } else if (redisPlan.kind === 'start') {
    log(`Redis does not answer at ${redactUrl(endpoints.redis.url)}; starting a local one`);
    const started = await startRedis(redisPlan.serverPath, endpoints.redis.url, root, log);
    teardown.add('Redis started here', () => started.stop());
    redis = started;
  } else {
    throw new StackError('services-unavailable', redisPlan.problem);
  }
  return { postgres, redis };
}

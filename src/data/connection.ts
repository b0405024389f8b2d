/**
 * Keeps the gateway's database client usable whatever state the database is in at start.
 *
 * The gateway starts serving at once, with a client that is not connected yet (a down
 * database is reported by `/readyz` and by SERVICE_UNAVAILABLE, not by a process that
 * will not start). This loop connects the client in the background, retrying until the
 * database answers, then creates the indexes, retrying those too, and logs each step.
 *
 * Why connect explicitly rather than let the first operation do it: in driver 7, when the
 * connection made implicitly by the first operation fails, the client keeps a closed
 * topology and every later operation fails with MongoTopologyClosedError until
 * `connect()` is called again. Once a connect has succeeded, the driver's monitor finds
 * the servers again by itself after any outage (no restart, no new client).
 */
import type { Db, MongoClient, ServerDescriptionChangedEvent } from 'mongodb';
import { ensureIndexes, isDatabaseUnavailable } from './database';
import { wakeablePause } from './wakeablePause';

/** The part of the gateway's logger (pino) this module uses. */
export interface ConnectionLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ConnectionKeeper {
  /** Resolves once the client is connected and the indexes exist (never rejects; pending while the database is down). */
  readonly ready: Promise<void>;
  /** Ends the loop (a connect in progress fails once the client is closed); resolves when it has ended. */
  stop(): Promise<void>;
}

export interface KeeperOptions {
  /** Pause after the nth failed connect (each failed connect itself takes serverSelectionTimeoutMS). */
  connectPauseMs?: (attempt: number) => number;
  /** Pause after the nth failed index creation. */
  indexPauseMs?: (attempt: number) => number;
  /** While the database stays down, a reminder is logged every this many failed connects. */
  remindEvery?: number;
}

/** 250 ms, doubling, at most 2 s: with the 3 s server selection timeout, one attempt every 3-5 s. */
const CONNECT_PAUSE_MS = (attempt: number): number => Math.min(250 * 2 ** (attempt - 1), 2_000);
/** 1 s, doubling, at most 60 s. */
const INDEX_PAUSE_MS = (attempt: number): number => Math.min(1_000 * 2 ** (attempt - 1), 60_000);

export function keepDatabaseConnected(client: MongoClient, db: Db, log: ConnectionLog, options: KeeperOptions = {}): ConnectionKeeper {
  const connectPause = options.connectPauseMs ?? CONNECT_PAUSE_MS;
  const indexPause = options.indexPauseMs ?? INDEX_PAUSE_MS;
  const remindEvery = options.remindEvery ?? 12;
  let stopped = false;
  const { pause, wake } = wakeablePause();

  const connect = async (): Promise<boolean> => {
    const since = Date.now();
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await client.connect();
        if (attempt > 1) log.info({ attempts: attempt, downForMs: Date.now() - since }, 'database reachable: connected');
        return true;
      } catch (error) {
        if (stopped) return false;
        const retryInMs = connectPause(attempt);
        if (attempt === 1) {
          log.warn(
            { err: describe(error), retryInMs },
            'database unreachable: serving anyway (readiness 503, queries SERVICE_UNAVAILABLE) and retrying until it answers',
          );
        } else if (attempt % remindEvery === 0) {
          log.warn({ err: describe(error), attempts: attempt, downForMs: Date.now() - since }, 'database still unreachable');
        }
        await pause(retryInMs);
      }
    }
    return false;
  };

  const index = (): Promise<void> => ensureIndexesRetrying(db, log, { pause: (attempt) => pause(indexPause(attempt)), pauseMs: indexPause, stopped: () => stopped });
  const onServerChange = serverChangeLogger(log);

  const loop = (async () => {
    if (!(await connect())) return;
    client.on('serverDescriptionChanged', onServerChange);
    await index();
  })();
  // Never rejects: every step catches its own errors.
  const ended = loop.catch((error: unknown) => log.error({ err: describe(error) }, 'database connection loop failed'));
  const ready = new Promise<void>((resolve) => {
    void loop.then(() => {
      if (!stopped) resolve();
    });
  });
  return {
    ready,
    stop() {
      stopped = true;
      wake();
      client.off('serverDescriptionChanged', onServerChange);
      return ended;
    },
  };
}

/** Creates the indexes, retrying until they exist or the keeper stops. */
async function ensureIndexesRetrying(
  db: Db,
  log: ConnectionLog,
  retry: { pause(attempt: number): Promise<void>; pauseMs(attempt: number): number; stopped(): boolean },
): Promise<void> {
  for (let attempt = 1; !retry.stopped(); attempt++) {
    try {
      await ensureIndexes(db);
      log.info({ attempts: attempt }, 'indexes ensured');
      return;
    } catch (error) {
      if (retry.stopped()) return;
      const fields = { err: describe(error), attempts: attempt, retryInMs: retry.pauseMs(attempt) };
      // An index the server refuses (a conflicting definition, say) needs an operator;
      // an unreachable server only needs time. Both are retried.
      if (isDatabaseUnavailable(error)) log.warn(fields, 'indexes not created yet (database unreachable): retrying');
      else log.error(fields, 'indexes could not be created: retrying');
      await retry.pause(attempt);
    }
  }
}

/**
 * Once connected, the driver's monitor follows each server; its transitions are logged
 * so that an outage and the recovery (by the driver, without the keeper's loop) are visible.
 */
function serverChangeLogger(log: ConnectionLog): (event: ServerDescriptionChangedEvent) => void {
  return (event) => {
    const was = event.previousDescription.type;
    const now = event.newDescription.type;
    if (was !== 'Unknown' && now === 'Unknown') {
      log.warn({ address: event.address, err: describe(event.newDescription.error) }, 'database server unreachable');
    } else if (was === 'Unknown' && now !== 'Unknown') {
      log.info({ address: event.address, type: now }, 'database server reachable again');
    }
  };
}

/**
 * For the log: the error's name and code, and for connection failures their message
 * (host, port, reason). Other server messages can quote stored values, so not those.
 */
function describe(error: unknown): { name: string; code?: unknown; message?: string } {
  if (!(error instanceof Error)) return { name: error === null ? 'none' : typeof error };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    ...(code !== undefined ? { code } : {}),
    ...(isDatabaseUnavailable(error) ? { message: error.message } : {}),
  };
}

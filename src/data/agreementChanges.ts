/**
 * Changes to the agreements collection, as they happen, where the server has change
 * streams (a replica set or a sharded cluster): each change names the agreement, so a
 * gateway instance can drop it from its agreement cache at once, whoever changed it (an
 * import, another instance).
 *
 * Where the server has none (a standalone mongod; mongo-java-server, the CI fallback,
 * refuses `$changeStream`), or while the stream is interrupted, nothing is reported and
 * the agreement cache's TTL is the bound (AGREEMENT_CACHE_TTL_MS): the stream only makes
 * changes take effect sooner, correctness never depends on it. It is said once at info
 * level, and the stream is re-opened with backoff; after any gap in which events may have
 * been missed, `all()` is called.
 */
import type { ChangeStreamOptions, Document } from 'mongodb';
import { isDatabaseUnavailable } from './database';
import { wakeablePause } from './wakeablePause';

/** A change event, as much of it as is used. */
export interface AgreementChangeEvent {
  readonly operationType: string;
  readonly documentKey?: { readonly _id: unknown };
}

/** What `watch` returns: the driver's ChangeStream, in iterator mode. */
export interface AgreementChangeStream {
  tryNext(): Promise<AgreementChangeEvent | null>;
  close(): Promise<void>;
}

/** The agreements collection (or a test double). */
export interface WatchableAgreements {
  watch(pipeline: Document[], options: ChangeStreamOptions): AgreementChangeStream;
}

export interface AgreementChangeHandlers {
  /** The agreement with this id was inserted, replaced, updated or deleted. */
  changed(id: string): void;
  /** Any agreement may have changed (a drop or a rename, or a gap in the stream). */
  all(): void;
}

/** The part of the gateway's logger (pino) used here. */
export interface WatchLog {
  info(fields: object, message: string): void;
}

export type WatchState = 'opening' | 'active' | 'unavailable' | 'closed';

export interface AgreementWatch {
  /** 'active' while changes are reported as they happen. */
  state(): WatchState;
  /** Stops watching (idempotent). */
  close(): Promise<void>;
}

export interface WatchOptions {
  /** Pause before re-opening after the nth consecutive failure (database unreachable, stream interrupted). */
  retryMs?: (attempt: number) => number;
  /** Pause before asking again a server that refused change streams. */
  refusedRetryMs?: number;
  /** How long a getMore waits for changes on the server. */
  maxAwaitTimeMS?: number;
  /** The longest close() waits for a read in progress to end. */
  closeTimeoutMs?: number;
  /** What is watched, for the log (default: agreements). */
  subject?: { readonly name: string; readonly ttlSetting: string };
}

/** Only what identifies the changed agreement travels (the `_id` resume token stays). */
const PIPELINE: Document[] = [{ $project: { operationType: 1, documentKey: 1 } }];
const ONE_AGREEMENT = new Set(['insert', 'update', 'replace', 'delete']);

/** 1 s, doubling, at most 10 s: back soon after an outage, one failed command per 10 s during one. */
const RETRY_MS = (attempt: number): number => Math.min(1_000 * 2 ** (attempt - 1), 10_000);
const REFUSED_RETRY_MS = 5 * 60_000;

export function watchAgreementChanges(
  agreements: WatchableAgreements,
  handlers: AgreementChangeHandlers,
  log: WatchLog,
  options: WatchOptions = {},
): AgreementWatch {
  const retryMs = options.retryMs ?? RETRY_MS;
  const refusedRetryMs = options.refusedRetryMs ?? REFUSED_RETRY_MS;
  const closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
  const { name, ttlSetting } = options.subject ?? { name: 'agreement', ttlSetting: 'AGREEMENT_CACHE_TTL_MS' };
  const streamOptions: ChangeStreamOptions = { maxAwaitTimeMS: options.maxAwaitTimeMS ?? 1_000 };
  const session: WatchSession = { state: 'opening', closed: false, said: null };
  let current: AgreementChangeStream | null = null;
  const { pause, wake } = wakeablePause();

  const run = async (): Promise<void> => {
    for (let failures = 0; !session.closed; ) {
      let wait = 0;
      let stream: AgreementChangeStream | null = null;
      try {
        stream = agreements.watch(PIPELINE, streamOptions);
        current = stream;
        // Returns on an `invalidate` event (the collection was dropped or renamed): open a new one.
        if (await follow(session, stream, handlers, log, name)) failures = 0;
        wait = 100;
      } catch (error) {
        if (session.closed) break;
        const wasActive = session.state === 'active';
        session.state = 'unavailable';
        if (wasActive) {
          // Anything may change while the stream is down.
          handlers.all();
          failures = 0;
        }
        failures++;
        const refused = !wasActive && !isDatabaseUnavailable(error) && isServerError(error);
        sayFailure(session, log, { name, ttlSetting }, error, refused);
        wait = refused ? refusedRetryMs : retryMs(failures);
      } finally {
        current = null;
        if (stream) await stream.close().catch(() => undefined);
      }
      if (wait > 0 && !session.closed) await pause(wait);
    }
    session.state = 'closed';
  };

  const loop = run().catch(() => {
    session.state = 'closed';
  });
  return {
    state: () => session.state,
    async close() {
      if (session.closed) return;
      session.closed = true;
      wake();
      await current?.close().catch(() => undefined);
      let limit: NodeJS.Timeout | undefined;
      await Promise.race([loop, new Promise<void>((resolve) => (limit = setTimeout(resolve, closeTimeoutMs)))]);
      clearTimeout(limit);
      session.state = 'closed';
    },
  };
}

/** The state of one watch, shared by its loop and its steps. */
interface WatchSession {
  state: WatchState;
  closed: boolean;
  /** What was last said at info level, so that each state is said once. */
  said: 'active' | 'refused' | 'interrupted' | null;
}

/** Reads one stream until it fails or ends; true if it was active at some point. */
async function follow(session: WatchSession, stream: AgreementChangeStream, handlers: AgreementChangeHandlers, log: WatchLog, name: string): Promise<boolean> {
  let active = false;
  for (;;) {
    const change = await stream.tryNext();
    if (session.closed) return active;
    if (!active) {
      // The first answer: the stream is open. Anything that changed while it was not is unknown.
      active = true;
      session.state = 'active';
      handlers.all();
      if (session.said !== 'active') log.info({}, `${name} change stream open: ${name} changes take effect at once`);
      session.said = 'active';
    }
    if (change === null) continue;
    const id = change.documentKey?._id;
    // Any other event (drop, rename, dropDatabase, invalidate, ...): any agreement may have changed.
    if (ONE_AGREEMENT.has(change.operationType) && typeof id === 'string') handlers.changed(id);
    else handlers.all();
    if (change.operationType === 'invalidate') return active;
  }
}

/** Says once, at info level, that the stream is refused (no change streams here) or interrupted. */
function sayFailure(session: WatchSession, log: WatchLog, subject: { name: string; ttlSetting: string }, error: unknown, refused: boolean): void {
  const { name, ttlSetting } = subject;
  if (refused) {
    if (session.said !== 'refused') {
      log.info(
        { err: { name: (error as Error).name, code: (error as { code?: unknown }).code ?? null } },
        `${name} change stream refused by the database (change streams need a replica set or a sharded cluster): ${name} changes made elsewhere take effect within ${ttlSetting}`,
      );
    }
    session.said = 'refused';
  } else if (session.said !== 'interrupted' && session.said !== 'refused') {
    log.info({ err: { name: (error as Error).name } }, `${name} change stream unavailable: ${name} changes made elsewhere take effect within ${ttlSetting} until it is back`);
    session.said = 'interrupted';
  }
}

/** An error the server answered with (as opposed to one of the driver or the network). */
function isServerError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'MongoServerError' || typeof (error as { code?: unknown }).code === 'number');
}

/**
 * The emergency stop: one shared flag that blocks every model call while set. `isStopped()` is on
 * the hot path of every request, so it reads a local copy and never does I/O.
 *
 * Embedded: the flag lives in the process.
 * Redis: the state is a JSON value at `<prefix>emergency-stop` with a version from INCR, written and
 * published in one script, so concurrent stop/resume calls settle on the newest everywhere. Each
 * replica holds a copy, updated (1) at once on its own stop/resume, (2) by pub/sub within
 * milliseconds on the others, and (3) by polling the key every `refreshMs` (default 1000 ms) in case a
 * message was lost while its subscriber was reconnecting. So a change reaches every replica that can
 * talk to Redis within about `refreshMs` at worst. While Redis is unreachable a replica keeps its last
 * known state; `stop`/`resume` then throw (the admin must know it did not take effect).
 */
import { ConduitError } from '../core/errors.js';
import type { RedisConnection } from '../store/redis/open-redis.js';
import { defineLuaScript } from '../store/redis/lua-script.js';

export interface EmergencyStopState {
  stopped: boolean;
  /** Who stopped or resumed last. */
  actor?: string;
  reason?: string;
  /** When the state last changed (ms since epoch). */
  since?: number;
  /** Monotonic change counter (Redis adapter), newest wins. */
  version: number;
}

export interface EmergencyStop {
  stop(actor: string, reason: string): Promise<EmergencyStopState>;
  resume(actor: string): Promise<EmergencyStopState>;
  /** Hot path: a local read, no I/O. */
  isStopped(): boolean;
  state(): EmergencyStopState;
  /** Called on every change, local or from another replica. Returns an unsubscribe function. */
  onChange(listener: (state: EmergencyStopState) => void): () => void;
  close(): Promise<void>;
}

/**
 * The error a model call gets while the stop is on: 503 `provider_unavailable`, code `emergency_stop`,
 * not retryable (a client retry loop would only add load during an incident).
 */
export function emergencyStopError(state: EmergencyStopState): ConduitError {
  const why = state.reason ? `: ${state.reason}` : '';
  return new ConduitError('provider_unavailable', `Model calls are suspended by an emergency stop${why}`, {
    code: 'emergency_stop',
    retryable: false,
  });
}

abstract class LocalCopy {
  protected current: EmergencyStopState = { stopped: false, version: 0 };
  private readonly listeners = new Set<(state: EmergencyStopState) => void>();

  isStopped(): boolean {
    return this.current.stopped;
  }

  state(): EmergencyStopState {
    return { ...this.current };
  }

  onChange(listener: (state: EmergencyStopState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes `next` if it is newer; tells listeners when the flag or its details changed. */
  protected apply(next: EmergencyStopState): void {
    if (next.version < this.current.version) return;
    const changed = next.version !== this.current.version || next.stopped !== this.current.stopped;
    this.current = next;
    if (!changed) return;
    for (const listener of this.listeners) {
      try {
        listener({ ...next });
      } catch {
        // a listener's failure must not stop the propagation
      }
    }
  }
}

export class EmbeddedEmergencyStop extends LocalCopy implements EmergencyStop {
  constructor(private readonly clock: () => number = Date.now) {
    super();
  }

  async stop(actor: string, reason: string): Promise<EmergencyStopState> {
    this.apply({ stopped: true, actor, reason, since: this.clock(), version: this.current.version + 1 });
    return this.state();
  }

  async resume(actor: string): Promise<EmergencyStopState> {
    this.apply({ stopped: false, actor, since: this.clock(), version: this.current.version + 1 });
    return this.state();
  }

  async close(): Promise<void> {}
}

/** INCR the version, store the state with it, publish it; all at once so versions and values agree. */
const writeStateScript = defineLuaScript(`
local state = cjson.decode(ARGV[1])
state.version = redis.call('INCR', KEYS[2])
local json = cjson.encode(state)
redis.call('SET', KEYS[1], json)
redis.call('PUBLISH', ARGV[2], json)
return json
`);

export interface RedisEmergencyStopOptions {
  /** Poll period, the propagation bound when pub/sub misses a message (default 1000 ms). */
  refreshMs?: number;
  clock?: () => number;
}

export class RedisEmergencyStop extends LocalCopy implements EmergencyStop {
  private readonly stateKey: string;
  private readonly versionKey: string;
  private readonly channel: string;
  private readonly subscriber: RedisConnection;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly clock: () => number;
  private closed = false;
  private listening = false;

  /** Opens the flag, subscribes, and loads the current state (best effort: Redis may be down). */
  static async open(redis: RedisConnection, options: RedisEmergencyStopOptions = {}): Promise<RedisEmergencyStop> {
    const stop = new RedisEmergencyStop(redis, options);
    await stop.refresh();
    return stop;
  }

  private constructor(
    private readonly redis: RedisConnection,
    options: RedisEmergencyStopOptions,
  ) {
    super();
    this.clock = options.clock ?? Date.now;
    this.stateKey = redis.key('emergency-stop');
    this.versionKey = redis.key('emergency-stop', 'version');
    this.channel = redis.key('emergency-stop');
    this.subscriber = redis.duplicate();
    this.subscriber.client.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.applyJson(message);
    });
    // (Re)subscribe and catch up after every (re)connect; SUBSCRIBE is idempotent.
    this.subscriber.client.on('ready', () => {
      this.subscriber.client.subscribe(this.channel).then(
        () => (this.listening = true),
        () => undefined,
      );
      void this.refresh();
    });
    this.subscriber.client.on('close', () => (this.listening = false));
    void this.subscriber.ensureConnected();
    this.timer = setInterval(() => void this.refresh(), options.refreshMs ?? 1000);
    this.timer.unref();
  }

  async stop(actor: string, reason: string): Promise<EmergencyStopState> {
    return this.write({ stopped: true, actor, reason, since: this.clock() });
  }

  async resume(actor: string): Promise<EmergencyStopState> {
    return this.write({ stopped: false, actor, since: this.clock() });
  }

  /** Whether this replica currently receives changes by pub/sub (else it relies on the poll). */
  subscribed(): boolean {
    return this.listening;
  }

  /** Reads the shared state now; never throws (keeps the last known state on failure). */
  async refresh(): Promise<void> {
    if (this.closed) return;
    try {
      await this.redis.ensureConnected();
      const json = await this.redis.client.get(this.stateKey);
      if (json !== null) this.applyJson(json);
    } catch {
      // unreachable: keep the last known state, the next poll tries again
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.subscriber.close();
  }

  private async write(state: Omit<EmergencyStopState, 'version'>): Promise<EmergencyStopState> {
    try {
      await this.redis.ensureConnected();
      const json = await writeStateScript.run(this.redis.client, [this.stateKey, this.versionKey], [
        JSON.stringify(state),
        this.channel,
      ]);
      if (typeof json !== 'string') throw new Error('unexpected reply from the emergency-stop script');
      this.applyJson(json);
      return this.state();
    } catch (err) {
      throw new ConduitError('provider_unavailable', 'Could not change the emergency stop: Redis is unavailable', {
        cause: err,
        code: 'emergency_stop_store_unavailable',
      });
    }
  }

  private applyJson(json: string): void {
    const parsed = parseState(json);
    if (parsed) this.apply(parsed);
  }
}

function parseState(json: string): EmergencyStopState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.stopped !== 'boolean' || typeof v.version !== 'number') return undefined;
  const state: EmergencyStopState = { stopped: v.stopped, version: v.version };
  if (typeof v.actor === 'string') state.actor = v.actor;
  if (typeof v.reason === 'string') state.reason = v.reason;
  if (typeof v.since === 'number') state.since = v.since;
  return state;
}

import ssh2, { type ConnectConfig, type SFTPWrapper } from 'ssh2';

/** The SSH connection, request slots and concurrent transfers of the SFTP repository (sftp.ts). */

/**
 * Bytes per READ/WRITE request: the most ssh2 sends an OpenSSH server in one request (256 KiB less
 * its 2 KiB allowance for the header); it splits what another server cannot take. Against 128 KiB,
 * a restore took 6 % less time and a full backup peaked 17 MiB lower (docs/benchmarks.md).
 */
export const PIECE_BYTES = 254 * 1024;

export type Reply<T> = (err: Error | null | undefined, value?: T) => void;
export type Request<T> = (sftp: SFTPWrapper, cb: Reply<T>) => void;

/**
 * One SSH connection and its SFTP channel. A server can answer SSH keepalives while an SFTP
 * request hangs (OpenSSH's sftp-server is its own process, stuck on a dead disk or stopped): when
 * requests wait and none has been answered for `replyTimeoutMs`, the connection is given up, and
 * every request waiting on it fails with that reason.
 */
export class Session {
  readonly client = new ssh2.Client();
  readonly closed: Promise<void>;
  readonly #replyTimeoutMs: number;
  readonly #onLost: (err: Error) => void;
  #sftp: SFTPWrapper | undefined;
  #open = true;
  #waiting = 0; // requests sent and not answered yet
  #heardAt = 0; // when the last reply came, or the first waiting request went out
  #silence: Error | undefined;

  /** `onLost` hears the errors of a ready connection (unheard, they would crash the process). */
  constructor(onLost: (err: Error) => void, replyTimeoutMs: number) {
    this.#onLost = onLost;
    this.#replyTimeoutMs = replyTimeoutMs;
    this.closed = new Promise((resolve) => {
      this.client.once('close', () => {
        this.#open = false;
        resolve();
      });
    });
    this.client.on('error', (err) => this.#sftp && onLost(err));
  }

  async start(config: ConnectConfig): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.client.once('ready', resolve).once('error', reject);
      // ssh2 leaves Nagle's algorithm on. A restore keeps several small READ requests in flight,
      // and Nagle held each new one until the server acknowledged the last: a restore over
      // loopback took 4.5-5.1 s with it, 3.3-3.5 s without (docs/benchmarks.md).
      this.client.once('connect', () => this.client.setNoDelay(true));
      this.client.connect(config);
    });
    const sftp = await call<SFTPWrapper>((cb) => this.client.sftp(cb));
    sftp.on('error', (err: Error) => this.client.emit('error', err));
    this.#sftp = sftp;
    const watchdog = setInterval(() => this.#checkReplies(), this.#replyTimeoutMs / 4).unref();
    void this.closed.then(() => clearInterval(watchdog));
  }

  /** Refuses at once on a closed connection: ssh2 would wait forever for the reply. */
  request<T>(start: Request<T>): Promise<T> {
    const sftp = this.#sftp;
    if (!this.#open || !sftp) return Promise.reject(this.#silence ?? new Error('the SSH connection is closed'));
    if (this.#waiting++ === 0) this.#heardAt = performance.now();
    return call<T>((cb) => start(sftp, cb)).then(
      (value) => {
        this.#answered();
        return value;
      },
      (err: unknown) => {
        this.#answered();
        throw this.#silence ?? err;
      },
    );
  }

  end(): Promise<void> {
    this.client.end();
    return this.closed;
  }

  #answered(): void {
    this.#waiting -= 1;
    this.#heardAt = performance.now();
  }

  #checkReplies(): void {
    if (this.#waiting === 0 || this.#silence || performance.now() - this.#heardAt < this.#replyTimeoutMs) return;
    this.#silence = new Error(`the server answered no SFTP request for ${this.#replyTimeoutMs / 1000} s`);
    this.#onLost(this.#silence);
    // Closing the socket makes ssh2 fail every request still waiting on this connection.
    this.client.destroy();
  }
}

/** At most `size` holders at once; the others wait in order. */
export class Slots {
  readonly #waiting: (() => void)[] = [];
  #free: number;

  constructor(size: number) {
    this.#free = Math.max(1, Math.floor(size));
  }

  async take(): Promise<void> {
    if (this.#free > 0) this.#free -= 1;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free += 1;
  }
}

/** The concurrent requests of one transfer, each holding a slot; keeps the first failure. */
export class Transfer {
  readonly #slots: Slots;
  readonly #running = new Set<Promise<void>>();
  #failed = false;
  #failure: unknown;

  constructor(slots: Slots) {
    this.#slots = slots;
  }

  /** Waits for a free slot (so the caller goes no faster than the server), then starts `task`. */
  async start(task: () => Promise<void>): Promise<void> {
    this.check();
    await this.#slots.take();
    const run = task()
      .catch((err: unknown) => this.#fail(err))
      .finally(() => {
        this.#slots.give();
        this.#running.delete(run);
      });
    this.#running.add(run);
  }

  check(): void {
    if (this.#failed) throw this.#failure;
  }

  async settle(): Promise<void> {
    await Promise.all([...this.#running]);
  }

  #fail(err: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#failure = err;
  }
}

export function call<T = void>(start: (cb: Reply<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      start((err, value) => (err ? reject(err) : resolve(value as T)));
    } catch (err) {
      reject(err);
    }
  });
}

/** Reads `piece.length` bytes at `position` unless the file ends first; returns how many it read. */
export async function readFully(s: Session, handle: Buffer, piece: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < piece.length) {
    const from = done;
    const got = await s.request<number>((sftp, cb) => sftp.read(handle, piece, from, piece.length - from, position + from, cb));
    if (got === 0) break;
    done += got;
  }
  return done;
}

export function* piecesOf(part: Buffer): Generator<Buffer> {
  for (let start = 0; start < part.length; start += PIECE_BYTES) yield part.subarray(start, start + PIECE_BYTES);
}

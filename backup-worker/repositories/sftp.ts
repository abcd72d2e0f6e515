import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import ssh2, {
  type FileEntryWithStats,
  type ParsedKey,
  type PublicKeyAuthMethod,
  type Stats,
} from 'ssh2';
import { FloeError } from '../../common/errors.js';
import { getLogger } from '../../common/logger.js';
import {
  checkObjectName,
  ObjectNotFoundError,
  RepositoryAccessError,
  RepositoryError,
  type ByteRange,
  type LoadOptions,
  type ObjectHandle,
  type ObjectInfo,
  type ObjectKind,
  type Repository,
  REMOTE_CONCURRENCY,
  DEFAULT_IDLE_TIMEOUT_MS,
} from './repository.js';
import { objectDir, KIND_DIRS, TEMP_PREFIX } from './layout.js';
import { piecesOf, PIECE_BYTES, readFully, Session, Slots, Transfer, type Request } from './sftp-session.js';
import { fingerprintOf, HOST_KEY_ALGORITHMS, parseHostKeyPin, type HostKeyPin } from './ssh-host-key.js';

export interface SftpRepositoryOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly privateKey: Buffer; // OpenSSH or PEM private key
  readonly passphrase?: string; // for an encrypted private key
  /** Pinned server key: a known_hosts line ("[host]:port ssh-ed25519 AAAA..." or "host ssh-ed25519 AAAA...")
   *  or an OpenSSH fingerprint "SHA256:<base64 without padding>". */
  readonly hostKey: string;
  readonly path: string; // repository root on the server (created when missing)
  readonly maxInFlight?: number; // concurrent SFTP requests (default 8)
  readonly connectTimeoutMs?: number; // default 10000
  readonly idleTimeoutMs?: number; // a server silent, or leaving requests unanswered, this long is given up (default DEFAULT_IDLE_TIMEOUT_MS)
}

/** Unanswered keepalives before the connection is given up: one is sent every idle timeout / (this + 1). */
const KEEPALIVES_UNANSWERED = 3;
const { NO_SUCH_FILE, PERMISSION_DENIED } = ssh2.utils.sftp.STATUS_CODE;
const log = getLogger('repository:sftp');

/**
 * A directory on an SSH server, reached over SFTP (ssh2), laid out as LocalRepository: packs
 * sharded by the first two characters of their name; saves written to a temporary file in the
 * same directory and renamed into place. One connection multiplexes up to maxInFlight requests;
 * a large object moves as that many concurrent READ/WRITE requests at different offsets.
 */
export class SftpRepository implements Repository {
  readonly concurrency = REMOTE_CONCURRENCY;
  readonly #options: SftpRepositoryOptions;
  readonly #server: string;
  readonly #root: string;
  readonly #pin: HostKeyPin;
  readonly #slots: Slots;
  readonly #dirs = new Set<string>();
  #key: ParsedKey | undefined;
  #session: Promise<Session> | undefined;

  constructor(options: SftpRepositoryOptions) {
    this.#options = options;
    this.#server = `${options.host}:${options.port}`;
    this.#root = posix.normalize(options.path).replace(/(.)\/$/, '$1');
    this.#pin = parseHostKeyPin(options.hostKey, this.#server);
    this.#slots = new Slots(options.maxInFlight ?? 8);
  }

  async save(h: ObjectHandle, body: () => Readable): Promise<void> {
    checkObjectName(h);
    const dir = this.#dirOf(h);
    const temp = posix.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    let s: Session | undefined;
    try {
      s = await this.#connection();
      await this.#ensureDir(s, dir);
      await this.#upload(s, temp, body());
      await this.#replace(s, temp, posix.join(dir, h.name));
    } catch (err) {
      if (s) await this.#request(s, (sftp, cb) => sftp.unlink(temp, cb)).catch(() => undefined);
      throw this.#failure(err, `save(${h.kind}/${h.name})`);
    }
  }

  async load(h: ObjectHandle, range?: ByteRange, o?: LoadOptions): Promise<Buffer> {
    checkObjectName(h);
    try {
      const s = await this.#connection();
      const handle = await this.#request<Buffer>(s, (sftp, cb) => sftp.open(this.#pathOf(h), 'r', cb));
      return await this.#closing(s, handle, async () => {
        const length = range ? range.length : (await this.#request<Stats>(s, (sftp, cb) => sftp.fstat(handle, cb))).size;
        const into = o?.into && o.into.length >= length ? o.into.subarray(0, length) : Buffer.allocUnsafe(length);
        return into.subarray(0, await this.#download(s, handle, into, range?.offset ?? 0));
      });
    } catch (err) {
      throw this.#failure(err, `load(${h.kind}/${h.name})`, h);
    }
  }

  async stat(h: ObjectHandle): Promise<ObjectInfo> {
    checkObjectName(h);
    try {
      const s = await this.#connection();
      const attrs = await this.#request<Stats>(s, (sftp, cb) => sftp.stat(this.#pathOf(h), cb));
      return { kind: h.kind, name: h.name, sizeBytes: attrs.size };
    } catch (err) {
      throw this.#failure(err, `stat(${h.kind}/${h.name})`, h);
    }
  }

  async *list(kind: ObjectKind): AsyncIterable<ObjectInfo> {
    const top = posix.join(this.#root, KIND_DIRS[kind]);
    const dirs = kind === 'pack' ? (await this.#entries(top, true)).map((d) => posix.join(top, d.filename)) : [top];
    for (const dir of dirs) {
      for (const entry of await this.#entries(dir, false)) {
        if (!entry.filename.startsWith(TEMP_PREFIX)) yield { kind, name: entry.filename, sizeBytes: entry.attrs.size };
      }
    }
  }

  async removeTemporaries(kinds: readonly ObjectKind[]): Promise<number> {
    let removed = 0;
    for (const kind of kinds) {
      const top = posix.join(this.#root, KIND_DIRS[kind]);
      const dirs = kind === 'pack' ? (await this.#entries(top, true)).map((d) => posix.join(top, d.filename)) : [top];
      for (const dir of dirs) {
        for (const entry of (await this.#entries(dir, false)).filter((e) => e.filename.startsWith(TEMP_PREFIX))) {
          const path = posix.join(dir, entry.filename);
          try {
            const s = await this.#connection();
            await this.#request(s, (sftp, cb) => sftp.unlink(path, cb));
            removed += 1;
          } catch (err) {
            if (sftpCode(err) !== NO_SUCH_FILE) throw this.#failure(err, `removeTemporaries(${posix.relative(this.#root, path)})`);
          }
        }
      }
    }
    return removed;
  }

  async remove(h: ObjectHandle): Promise<void> {
    checkObjectName(h);
    try {
      const s = await this.#connection();
      await this.#request(s, (sftp, cb) => sftp.unlink(this.#pathOf(h), cb));
    } catch (err) {
      throw this.#failure(err, `remove(${h.kind}/${h.name})`, h);
    }
  }

  async close(): Promise<void> {
    const pending = this.#session;
    this.#session = undefined;
    this.#dirs.clear();
    await (await pending?.catch(() => undefined))?.end();
  }

  /** Writes the body at increasing offsets, up to maxInFlight WRITEs at once; pulls no faster. */
  async #upload(s: Session, path: string, body: Readable): Promise<void> {
    const handle = await this.#request<Buffer>(s, (sftp, cb) => sftp.open(path, 'wx', cb));
    await this.#closing(s, handle, async () => {
      const transfer = new Transfer(this.#slots);
      let position = 0;
      try {
        for await (const part of body) {
          for (const piece of piecesOf(Buffer.isBuffer(part) ? part : Buffer.from(part as string))) {
            const at = position;
            await transfer.start(() => s.request((sftp, cb) => sftp.write(handle, piece, 0, piece.length, at, cb)));
            position += piece.length;
          }
        }
      } finally {
        await transfer.settle();
      }
      transfer.check();
    });
  }

  /** Fills `into` from `offset` with concurrent READs; returns how many bytes the file had. */
  async #download(s: Session, handle: Buffer, into: Buffer, offset: number): Promise<number> {
    const transfer = new Transfer(this.#slots);
    let end = into.length;
    for (let start = 0; start < into.length; start += PIECE_BYTES) {
      const piece = into.subarray(start, start + PIECE_BYTES);
      await transfer.start(async () => {
        const got = await readFully(s, handle, piece, offset + start);
        if (got < piece.length) end = Math.min(end, start + got);
      });
    }
    await transfer.settle();
    transfer.check();
    return end;
  }

  /** Moves the finished temporary file over the target: a POSIX rename where the server has one. */
  async #replace(s: Session, temp: string, target: string): Promise<void> {
    const renamed = await this.#request(s, (sftp, cb) => {
      try {
        sftp.ext_openssh_rename(temp, target, cb);
      } catch {
        cb(new PosixRenameMissing()); // ssh2 throws when the server did not announce the extension
      }
    }).then(
      () => true,
      (err: unknown) => (err instanceof PosixRenameMissing ? false : Promise.reject(err)),
    );
    if (renamed) return;
    // SSH_FXP_RENAME refuses an existing target: remove it first (readers may miss it for a moment).
    await this.#request(s, (sftp, cb) => sftp.unlink(target, cb)).catch((err: unknown) => {
      if (sftpCode(err) !== NO_SUCH_FILE) throw err;
    });
    await this.#request(s, (sftp, cb) => sftp.rename(temp, target, cb));
  }

  /** Makes `dir` and its missing parents; remembers the directories known to exist. */
  async #ensureDir(s: Session, dir: string): Promise<void> {
    if (this.#dirs.has(dir)) return;
    const mkdir = () => this.#request(s, (sftp, cb) => sftp.mkdir(dir, cb)).then(() => undefined, (err: unknown) => err);
    let failure = await mkdir();
    if (sftpCode(failure) === NO_SUCH_FILE && posix.dirname(dir) !== dir) {
      await this.#ensureDir(s, posix.dirname(dir));
      failure = await mkdir();
    }
    if (failure) {
      const isDir = await this.#request<Stats>(s, (sftp, cb) => sftp.stat(dir, cb)).then((a) => a.isDirectory(), () => false);
      if (!isDir) throw failure;
    }
    this.#dirs.add(dir);
  }

  /** Regular files (or, with `dirs`, subdirectories) of a directory, by name; none when it is missing. */
  async #entries(dir: string, dirs: boolean): Promise<FileEntryWithStats[]> {
    try {
      const s = await this.#connection();
      const all = await this.#request<FileEntryWithStats[]>(s, (sftp, cb) => sftp.readdir(dir, cb));
      return all
        .filter((e) => (dirs ? e.attrs.isDirectory() && !e.filename.startsWith('.') : e.attrs.isFile()))
        .sort((a, b) => a.filename.localeCompare(b.filename));
    } catch (err) {
      if (sftpCode(err) === NO_SUCH_FILE) return [];
      throw this.#failure(err, `list(${posix.relative(this.#root, dir)})`);
    }
  }

  /** Runs `work` with an open file handle and closes the handle after it, whatever happened. */
  async #closing<T>(s: Session, handle: Buffer, work: () => Promise<T>): Promise<T> {
    const close = () => this.#request(s, (sftp, cb) => sftp.close(handle, cb));
    const result = await work().catch(async (err: unknown) => {
      await close().catch(() => undefined);
      throw err;
    });
    await close();
    return result;
  }

  /** One SFTP request, holding one of the maxInFlight slots until its reply. */
  async #request<T = void>(s: Session, start: Request<T>): Promise<T> {
    await this.#slots.take();
    try {
      return await s.request(start);
    } finally {
      this.#slots.give();
    }
  }

  /** The open session, connecting first when there is none (lazily; again after a drop). */
  #connection(): Promise<Session> {
    if (!this.#session) {
      const session = this.#connect();
      this.#session = session;
      const forget = () => {
        if (this.#session !== session) return;
        this.#session = undefined;
        this.#dirs.clear();
      };
      session.then((s) => s.closed.then(forget), forget);
    }
    return this.#session;
  }

  async #connect(): Promise<Session> {
    const { host, port, username, connectTimeoutMs, idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS } = this.#options;
    const session = new Session(
      (err) => log.warn('SFTP connection lost', { server: this.#server, error: err.message }),
      idleTimeoutMs,
    );
    let presented: string | undefined;
    try {
      const auth: PublicKeyAuthMethod = { type: 'publickey', username, key: this.#privateKey() };
      await session.start({
        host,
        port,
        username,
        readyTimeout: connectTimeoutMs ?? 10_000,
        keepaliveInterval: Math.ceil(idleTimeoutMs / (KEEPALIVES_UNANSWERED + 1)),
        keepaliveCountMax: KEEPALIVES_UNANSWERED,
        authHandler: [auth],
        algorithms: this.#pin.keyType ? { serverHostKey: HOST_KEY_ALGORITHMS[this.#pin.keyType] } : undefined,
        hostVerifier: (key: Buffer) => (presented = fingerprintOf(key)) === this.#pin.fingerprint,
      });
      return session;
    } catch (err) {
      session.client.end();
      throw this.#connectFailure(err, presented);
    }
  }

  #privateKey(): ParsedKey {
    if (this.#key) return this.#key;
    const { privateKey, passphrase, username } = this.#options;
    const parsed: unknown = ssh2.utils.parseKey(privateKey, passphrase);
    const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : (parsed as ParsedKey | Error);
    if (key instanceof Error || !key?.isPrivateKey()) {
      const reason = key instanceof Error ? key.message : 'it is not a private key';
      throw new RepositoryAccessError(
        `The SSH private key for ${username}@${this.#server} cannot be used (${reason}); check the key and its passphrase.`,
      );
    }
    this.#key = key;
    return key;
  }

  #connectFailure(err: unknown, presented: string | undefined): Error {
    const { username } = this.#options;
    if (err instanceof FloeError) return err;
    if (presented && presented !== this.#pin.fingerprint) {
      return new RepositoryAccessError(
        `The SSH server ${this.#server} presented host key ${presented}, which does not match the pinned key ` +
          `${this.#pin.fingerprint}; if the server's key was changed on purpose, pin the new one.`,
      );
    }
    if ((err as { level?: unknown }).level === 'client-authentication') {
      return new RepositoryAccessError(`The SSH server ${this.#server} refused the key of user ${username}.`);
    }
    return new RepositoryError(`sftp.connect(${username}@${this.#server})`, { cause: err });
  }

  /** Classifies an error once: missing object, permission (permanent), anything else (transient). */
  #failure(err: unknown, call: string, h?: ObjectHandle): Error {
    if (err instanceof FloeError) return err;
    if (h && sftpCode(err) === NO_SUCH_FILE) return new ObjectNotFoundError(h);
    if (sftpCode(err) === PERMISSION_DENIED) {
      return new RepositoryAccessError(
        `The SSH server ${this.#server} denied user ${this.#options.username} access for ${call} under ${this.#root}.`,
      );
    }
    return new RepositoryError(`sftp.${call} on ${this.#server}`, { cause: err });
  }

  #dirOf(h: ObjectHandle): string {
    return posix.join(this.#root, objectDir(h));
  }

  #pathOf(h: ObjectHandle): string {
    return posix.join(this.#dirOf(h), h.name);
  }
}

class PosixRenameMissing extends Error {}

function sftpCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

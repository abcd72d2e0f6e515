/** What a backup reads: a file, a block device or a volume driver's export. */
export interface BlockSource {
  readonly sizeBytes: number;
  readonly name: string;
  /** Exactly `length` bytes at `offset`, read into `into` when given (a view of it is returned). */
  read(offset: number, length: number, into?: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

/** Called with bytes done so far and the total. */
export interface Progress {
  (doneBytes: number, totalBytes: number): void;
}

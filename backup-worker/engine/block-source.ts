/** What a backup reads: a file, a block device or a volume driver's export. */
export interface BlockSource {
  readonly sizeBytes: number;
  readonly name: string;
  /** Exactly `length` bytes at `offset`, read into `into` when given (a view of it is returned). */
  read(offset: number, length: number, into?: Buffer): Promise<Buffer>;
  /** True when the range is known to read as zeros without reading it (a hole of a sparse file). */
  isHole?(offset: number, length: number): boolean;
  close(): Promise<void>;
}

/** Called with bytes done so far and the total. */
export interface Progress {
  (doneBytes: number, totalBytes: number): void;
}

/**
 * Counts database round trips in the bytes the Worker sends through the Neon wsproxy: WebSocket
 * frames (RFC 6455, client to server, masked) carrying the Postgres frontend protocol. A round
 * trip is a simple `Query` ('Q') or the `Sync` ('S') that ends an extended-protocol query (pg
 * sends Parse/Bind/Describe/Execute/Sync in one write and waits for ReadyForQuery). The start-up
 * message and authentication are not counted: they are the connection's cost, which the
 * WebSocket count shows.
 */
export class PostgresWireCounter {
  private count = 0;

  /** Round trips seen so far, over every connection. */
  get roundTrips(): number {
    return this.count;
  }

  /** A reader for one WebSocket connection's client-to-server bytes (the upgrade's head included). */
  createConnectionReader(): (chunk: Buffer) => void {
    const frames = new WebSocketFrameReader();
    const messages = new PostgresMessageReader((type) => {
      if (type === queryMessage || type === syncMessage) this.count += 1;
    });
    return (chunk) => {
      for (const payload of frames.read(chunk)) messages.read(payload);
    };
  }
}

const queryMessage = 0x51; // 'Q'
const syncMessage = 0x53; // 'S'
/** Requests that precede the start-up message and have no type byte either (encryption negotiation). */
const negotiationCodes = new Set([80_877_103, 80_877_104]);

/** Splits a byte stream into the payloads of its data frames (text, binary, continuation). */
class WebSocketFrameReader {
  private pending: Buffer = Buffer.alloc(0);

  *read(chunk: Buffer): Generator<Buffer> {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const frame = this.readFrame();
      if (frame === undefined) return;
      if (frame.opcode <= 2) yield frame.payload;
    }
  }

  private readFrame(): { opcode: number; payload: Buffer } | undefined {
    const bytes = this.pending;
    if (bytes.length < 2) return undefined;
    const opcode = (bytes[0] ?? 0) & 0x0f;
    const masked = ((bytes[1] ?? 0) & 0x80) !== 0;
    let length = (bytes[1] ?? 0) & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (bytes.length < 4) return undefined;
      length = bytes.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (bytes.length < 10) return undefined;
      length = Number(bytes.readBigUInt64BE(2));
      offset = 10;
    }
    const maskOffset = offset;
    if (masked) offset += 4;
    if (bytes.length < offset + length) return undefined;
    const payload = Buffer.from(bytes.subarray(offset, offset + length));
    if (masked) {
      for (let index = 0; index < payload.length; index += 1) {
        payload[index] = (payload[index] ?? 0) ^ (bytes[maskOffset + (index % 4)] ?? 0);
      }
    }
    this.pending = bytes.subarray(offset + length);
    return { opcode, payload };
  }
}

/** Splits the frontend protocol into messages and reports each one's type byte. */
class PostgresMessageReader {
  private pending: Buffer = Buffer.alloc(0);
  private started = false;

  constructor(private readonly onMessage: (type: number) => void) {}

  read(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (!this.started) {
        // Length (itself included), then a protocol version or a request code.
        if (this.pending.length < 8) return;
        const length = this.pending.readInt32BE(0);
        if (this.pending.length < length) return;
        if (!negotiationCodes.has(this.pending.readInt32BE(4))) this.started = true;
        this.pending = this.pending.subarray(length);
        continue;
      }
      // A type byte, then a length that includes itself but not the type.
      if (this.pending.length < 5) return;
      const length = this.pending.readInt32BE(1);
      if (this.pending.length < 1 + length) return;
      this.onMessage(this.pending[0] ?? 0);
      this.pending = this.pending.subarray(1 + length);
    }
  }
}

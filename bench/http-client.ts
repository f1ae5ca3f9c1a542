// A small HTTP/1.1 keep-alive client for the benchmarks, so the client is not what is measured.
//
// bench:tracking runs its client on the same 2 cores as the server. Node's http.request costs about
// as much CPU per request as the server spends on a simple endpoint (ClientRequest/IncomingMessage
// objects, header validation, the agent's socket bookkeeping), so at ~1,500 req/s the client ate a
// core's worth of CPU. This client writes the same request bytes (method, path, Host, Content-Type,
// Content-Length, keep-alive) over a pool of persistent sockets, one request at a time per socket (no
// pipelining), and reads every response whole: status line, Content-Length or chunked body.
import { connect, type Socket } from 'node:net';

export interface HttpResponse {
  status: number;
  /** The body as UTF-8 text. */
  text: string;
}

interface Pending {
  resolve: (r: HttpResponse) => void;
  reject: (e: Error) => void;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** One persistent connection; `send` may only be called when the previous response has arrived. */
class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.parse();
    });
    const fail = (err: Error) => {
      this.closed = true;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the server closed the connection')));
  }

  static open(host: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  send(head: string, body: string | undefined, timeoutMs: number): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.socket.destroy(new Error(`no answer in ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      this.pending = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.socket.write(body === undefined ? head : head + body);
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  /** Completes the pending request once its whole response is buffered. */
  private parse(): void {
    if (!this.pending) return;
    const headEnd = this.buf.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.buf.toString('latin1', 0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let text: string;
    let rest: Buffer;
    if (length) {
      const end = headEnd + 4 + Number(length[1]);
      if (this.buf.length < end) return;
      text = this.buf.toString('utf8', headEnd + 4, end);
      rest = this.buf.subarray(end);
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const parts: Buffer[] = [];
      let at = headEnd + 4;
      for (;;) {
        const lineEnd = this.buf.indexOf('\r\n', at);
        if (lineEnd < 0) return;
        const size = parseInt(this.buf.toString('latin1', at, lineEnd), 16);
        if (this.buf.length < lineEnd + 2 + size + 2) return;
        if (size === 0) {
          at = lineEnd + 4;
          break;
        }
        parts.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      text = Buffer.concat(parts).toString('utf8');
      rest = this.buf.subarray(at);
    } else {
      this.pending.reject(new Error(`a response with neither Content-Length nor chunking: ${head}`));
      return;
    }
    this.buf = rest.length === 0 ? Buffer.alloc(0) : Buffer.from(rest);
    const p = this.pending;
    this.pending = undefined;
    if (/\r\nconnection: *close/i.test(head)) this.close();
    p.resolve({ status, text });
  }
}

/** Persistent connections to one server, handed to one request at a time. */
export class HttpPool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly hostHeader: string;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.hostHeader = `${host}:${port}`;
  }

  static forUrl(base: string): HttpPool {
    const url = new URL(base);
    return new HttpPool(url.hostname, Number(url.port));
  }

  async request(method: string, path: string, body?: string, timeoutMs = 60_000): Promise<HttpResponse> {
    let conn = this.idle.pop();
    while (conn?.closed) conn = this.idle.pop();
    if (!conn) {
      conn = await Connection.open(this.host, this.port);
      this.all.add(conn);
    }
    const head =
      body === undefined
        ? `${method} ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n\r\n`
        : `${method} ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    try {
      const res = await conn.send(head, body, timeoutMs);
      if (!conn.closed) this.idle.push(conn);
      return res;
    } catch (err) {
      conn.close();
      this.all.delete(conn);
      throw err;
    }
  }

  close(): void {
    for (const c of this.all) c.close();
    this.all.clear();
    this.idle.length = 0;
  }
}

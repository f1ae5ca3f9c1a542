// A local HTTP server that serves SECOP-II-shaped contract records the way Socrata does
// (`/resource/jbjy-vk9h.json?$limit&$offset`), plus page- and cursor-paged variants, with scripted faults:
// 429s, 500s, dropped connections, HTML pages, broken JSON and slow answers. Records are generated from a
// seed, so every run serves the same data. Used by the ingest tests and by examples/secop-ingest.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = '429' | '500' | 'drop' | 'html' | 'badjson' | 'slow';

export interface FixtureOptions {
  rows: number;
  seed?: number;
  /** Faults served for requests of the page starting at `offset`, `times` times (then it answers normally). */
  faults?: { offset: number; kind: Fault; times: number }[];
  /** Delay of a 'slow' answer in ms (default 2000). */
  slowMs?: number;
}

export interface Fixture {
  url: string;
  /** Socrata endpoint, e.g. http://127.0.0.1:1234/resource/jbjy-vk9h.json */
  socrataUrl: string;
  records: Record<string, string>[];
  /** Every request's path and query, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Mulberry32: a tiny seeded generator (public-domain algorithm by Tommy Ettinger). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENTIDADES = [
  'ALCALDIA DE MEDELLIN',
  'GOBERNACION DE ANTIOQUIA',
  'INSTITUTO DE DEPORTES DE BOGOTA',
  'HOSPITAL SAN JUAN DE DIOS',
  'MINISTERIO DE EDUCACION NACIONAL',
];
const DEPARTAMENTOS = ['Antioquia', 'Bogotá D.C.', 'Valle del Cauca', 'Santander', 'Atlántico'];
const TIPOS = ['Prestación de servicios', 'Suministros', 'Obra', 'Compraventa', 'Consultoría'];
const MODALIDADES = [
  'Contratación directa',
  'Mínima cuantía',
  'Licitación pública',
  'Selección abreviada de menor cuantía',
];
const ESTADOS = ['En ejecución', 'Modificado', 'terminado', 'Cerrado'];

/** SECOP II (datos.gov.co jbjy-vk9h) records: every value a string, absent fields left out, as Socrata does. */
export function secopRecords(n: number, seed = 42): Record<string, string>[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: Record<string, string>[] = [];
  for (let i = 0; i < n; i++) {
    const firma = new Date(Date.UTC(2022, 0, 1) + Math.floor(r() * 730) * 86_400_000);
    const dias = 30 + Math.floor(r() * 330);
    const rec: Record<string, string> = {
      nombre_entidad: pick(ENTIDADES),
      nit_entidad: String(890_900_000 + Math.floor(r() * 99_999)),
      departamento: pick(DEPARTAMENTOS),
      id_contrato: `CO1.PCCNTR.${4_000_000 + i}`,
      proceso_de_compra: `CO1.BDOS.${3_000_000 + Math.floor(r() * 900_000)}`,
      estado_contrato: pick(ESTADOS),
      tipo_de_contrato: pick(TIPOS),
      modalidad_de_contratacion: pick(MODALIDADES),
      descripcion_del_proceso: `Prestación de servicios profesionales número ${i} para apoyar la gestión`,
      fecha_de_firma: firma.toISOString().replace('Z', ''),
      fecha_de_fin_del_contrato: new Date(firma.getTime() + dias * 86_400_000).toISOString().replace('Z', ''),
      es_pyme: r() < 0.4 ? 'Si' : 'No',
      valor_del_contrato: String(Math.round(Math.exp(13 + 2 * r() + r()))),
      dias_adicionados: String(Math.floor(r() < 0.8 ? 0 : r() * 60)),
    };
    if (r() < 0.1) delete rec.descripcion_del_proceso;
    if (r() < 0.05) delete rec.valor_del_contrato;
    out.push(rec);
  }
  return out;
}

export async function startSecopFixture(opts: FixtureOptions): Promise<Fixture> {
  const records = secopRecords(opts.rows, opts.seed);
  const requests: string[] = [];
  const faults = (opts.faults ?? []).map((f) => ({ ...f }));
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push(u.pathname + u.search);
    let start = 0;
    let size = 1000;
    let wrap: (rows: unknown[]) => unknown = (rows) => rows;
    if (u.pathname === '/resource/jbjy-vk9h.json') {
      start = Number(u.searchParams.get('$offset') ?? 0);
      size = Number(u.searchParams.get('$limit') ?? 1000);
    } else if (u.pathname === '/paged') {
      size = Number(u.searchParams.get('per_page') ?? 100);
      start = (Number(u.searchParams.get('page') ?? 1) - 1) * size;
      wrap = (rows) => ({ data: rows, page: Number(u.searchParams.get('page')) });
    } else if (u.pathname === '/cursor') {
      size = Number(u.searchParams.get('limit') ?? 100);
      const c = u.searchParams.get('cursor');
      start = c === null ? 0 : Number(Buffer.from(c, 'base64url').toString());
      wrap = (rows) => ({
        data: rows,
        meta: {
          next:
            start + size < records.length ? Buffer.from(String(start + size)).toString('base64url') : null,
        },
      });
    } else if (u.pathname === '/html') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><html><body>Portal en mantenimiento</body></html>');
      return;
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
      return;
    }
    const fault = faults.find((f) => f.offset === start && f.times > 0);
    if (fault !== undefined) {
      fault.times--;
      switch (fault.kind) {
        case '429':
          res
            .writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' })
            .end('{"message":"too many requests"}');
          return;
        case '500':
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"internal error"}');
          return;
        case 'drop':
          req.socket.destroy();
          return;
        case 'html':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Error</body></html>');
          return;
        case 'badjson':
          res.writeHead(200, { 'content-type': 'application/json' }).end('[{"nombre_entidad": "A",');
          return;
        case 'slow':
          setTimeout(() => {
            if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
          }, opts.slowMs ?? 2000).unref();
          return;
      }
    }
    const rows = records.slice(start, start + size);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(wrap(rows)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    socrataUrl: `${url}/resource/jbjy-vk9h.json`,
    records,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

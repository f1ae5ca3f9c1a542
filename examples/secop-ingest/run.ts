// The course's first notebook, end to end, against a local stand-in for datos.gov.co:
// download SECOP II contracts from a Socrata API page by page (surviving rate limits, server errors and a
// dropped connection), cast the text fields, save Parquet, explore it, and ask a SQL question.
//
// Run from the repository root:  node --conditions=source --import tsx examples/secop-ingest/run.ts
// The real API works the same way: replace the URL with https://www.datos.gov.co/resource/jbjy-vk9h.json.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@cauce/cli';
import { sql } from '@cauce/data';
import { startSecopFixture } from '../../packages/data/test/secop-fixture.js';

// Outputs go to a scratch directory (or the one given as the first argument), never into the repository.
const out = process.argv[2] ?? join(tmpdir(), 'cauce-secop-example');
mkdirSync(out, { recursive: true });

// 20,000 generated contracts; page 3 answers 429 twice, page 5 a 500, page 7 drops the connection.
const api = await startSecopFixture({
  rows: 20_000,
  faults: [
    { offset: 5_000, kind: '429', times: 2 },
    { offset: 10_000, kind: '500', times: 1 },
    { offset: 15_000, kind: 'drop', times: 1 },
  ],
});
console.log(`fixture API at ${api.socrataUrl}\n`);

async function cauce(...args: string[]): Promise<void> {
  console.log(`$ cauce ${args.map((a) => (/[\s'$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  const code = await main(args);
  if (code !== 0) throw new Error(`cauce ${args[0]} exited with ${code}`);
  console.log();
}

try {
  const parquet = join(out, 'contratos.parquet');
  await cauce(
    'ingest',
    api.socrataUrl,
    '-o',
    parquet,
    '--page-size',
    '2500',
    '--where',
    "fecha_de_firma >= '2022-01-01T00:00:00'",
    '--cast',
    'valor_del_contrato=double',
    '--cast',
    'fecha_de_firma=timestamp',
    '--cast',
    'fecha_de_fin_del_contrato=timestamp',
    '--cast',
    'dias_adicionados=int',
    '--restart',
  );
  await cauce(
    'eda',
    parquet,
    '--target',
    'valor_del_contrato',
    '-o',
    join(out, 'eda.html'),
    '--json',
    join(out, 'eda.json'),
  );

  // The notebook's Spark SQL step, as one call.
  const top = await sql(
    `SELECT nombre_entidad, count(*)::INT AS contratos, round(sum(valor_del_contrato) / 1e9, 2) AS miles_de_millones
     FROM contratos GROUP BY 1 ORDER BY 3 DESC LIMIT 5`,
    { contratos: parquet },
  );
  console.log(top.toString());
  console.log(`\nopen ${join(out, 'eda.html')} in a browser (it works offline).`);
} finally {
  await api.close();
}

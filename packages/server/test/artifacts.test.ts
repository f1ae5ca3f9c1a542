import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectError, forEachDialect } from './support/server.js';

const PROXY = '/api/2.0/mlflow-artifacts/artifacts';

forEachDialect('artifacts', (h) => {
  test('PUT streams a file, GET reads it back, list, DELETE', async () => {
    const { run } = (await h().post('runs/create', { experiment_id: '0' })) as {
      run: { info: { run_id: string; artifact_uri: string } };
    };
    const base = run.info.artifact_uri.replace('mlflow-artifacts:/', '');
    const payload = Buffer.alloc(200_000, 7);
    let res = await fetch(`${h().url}${PROXY}/${base}/dir/data.bin`, { method: 'PUT', body: payload });
    assert.equal(res.status, 200);
    res = await fetch(`${h().url}${PROXY}/${base}/notes%20file.txt`, { method: 'PUT', body: 'hello' });
    assert.equal(res.status, 200);
    res = await fetch(`${h().url}${PROXY}/${base}/dir/data.bin`);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), payload);
    assert.equal(await (await fetch(`${h().url}${PROXY}/${base}/notes%20file.txt`)).text(), 'hello');
    const listed = (await (await fetch(`${h().url}${PROXY}?path=${encodeURIComponent(base)}`)).json()) as {
      files: unknown[];
    };
    assert.deepEqual(listed.files, [
      { path: 'dir', is_dir: true },
      { path: 'notes file.txt', is_dir: false, file_size: 5 },
    ]);
    // run-level listing: paths relative to the run's artifact root
    const runList = (await h().get('artifacts/list', { run_id: run.info.run_id })) as {
      root_uri: string;
      files: unknown[];
    };
    assert.equal(runList.root_uri, run.info.artifact_uri);
    assert.deepEqual(runList.files, listed.files);
    const sub = (await h().get('artifacts/list', { run_id: run.info.run_id, path: 'dir' })) as {
      files: unknown[];
    };
    assert.deepEqual(sub.files, [{ path: 'dir/data.bin', is_dir: false, file_size: 200_000 }]);
    res = await fetch(`${h().url}${PROXY}/${base}/dir`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    expectError(await h().call('GET', `${PROXY}/${base}/dir/data.bin`), 404, 'RESOURCE_DOES_NOT_EXIST');
    // the ajax prefix works too
    assert.equal(
      (await fetch(`${h().url}/ajax-api/2.0/mlflow-artifacts/artifacts/${base}/notes%20file.txt`)).status,
      200,
    );
  });

  test('uploads over the size cap are refused and leave nothing behind', async () => {
    const res = await fetch(`${h().url}${PROXY}/0/big/blob.bin`, {
      method: 'PUT',
      body: Buffer.alloc(1024 * 1024 + 10),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error_code: string }).error_code, 'INVALID_PARAMETER_VALUE');
    const listed = (await (await fetch(`${h().url}${PROXY}?path=0/big`)).json()) as { files: unknown[] };
    assert.deepEqual(listed.files, []);
  });

  test('small and streamed uploads: empty files, large files, a file or directory in the way', async () => {
    const { run } = (await h().post('runs/create', { experiment_id: '0' })) as {
      run: { info: { artifact_uri: string } };
    };
    const base = `${PROXY}/${run.info.artifact_uri.replace('mlflow-artifacts:/', '')}`;
    // above the size written at once (256 KiB): streamed in chunks, byte for byte
    const big = Buffer.alloc(700_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    for (const [path, body] of [
      ['up/big.bin', big],
      ['up/small.txt', Buffer.from('small')],
      ['up/empty.txt', Buffer.alloc(0)],
    ] as const) {
      assert.equal((await fetch(`${h().url}${base}/${path}`, { method: 'PUT', body })).status, 200, path);
      const back = Buffer.from(await (await fetch(`${h().url}${base}/${path}`)).arrayBuffer());
      assert.ok(back.equals(body), `${path} reads back as written`);
    }
    // a file where a directory must go, a directory where the file must go: refused, for both sizes
    for (const body of [Buffer.from('x'), big]) {
      for (const path of ['up/small.txt/inside.txt', 'up']) {
        const r = await fetch(`${h().url}${base}/${path}`, { method: 'PUT', body });
        const answer = (await r.json()) as { error_code: string; message: string };
        assert.equal(r.status, 400, `${path}: ${answer.message}`);
        assert.equal(answer.error_code, 'INVALID_PARAMETER_VALUE');
        assert.match(answer.message, /in the way/);
      }
    }
    // no temporary file is left behind by the refused uploads
    const listed = (await (
      await fetch(`${h().url}${PROXY}?path=${base.slice(PROXY.length + 1)}/up`)
    ).json()) as {
      files: Array<{ path: string }>;
    };
    assert.deepEqual(
      listed.files.map((f) => f.path),
      ['big.bin', 'empty.txt', 'small.txt'],
    );
  });

  test('path traversal is rejected on every artifact route', async () => {
    const bad = [
      '..%2f..%2fetc%2fpasswd',
      '%2e%2e/%2e%2e/etc/passwd',
      'a/%2e%2e/%2e%2e/b',
      '%252e%252e/x',
      'a%5cb',
      'a%00b',
      '%2fetc%2fpasswd',
    ];
    for (const p of bad) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const r = await h().call(method, `${PROXY}/${p}`, method === 'PUT' ? 'x' : undefined);
        assert.ok(r.status === 400 || r.status === 404, `${method} ${p} → ${r.status}`);
        assert.ok(typeof r.body.error_code === 'string', `${method} ${p} → ${JSON.stringify(r.body)}`);
      }
      expectError(await h().call('GET', `${PROXY}?path=${p}`), 400, 'INVALID_PARAMETER_VALUE');
    }
    for (const p of ['../x', '/etc', 'a/../../b', 'C:/x', 'a\\b']) {
      expectError(
        await h().call('GET', `${PROXY}?path=${encodeURIComponent(p)}`),
        400,
        'INVALID_PARAMETER_VALUE',
      );
    }
    const { run } = (await h().post('runs/create', { experiment_id: '0' })) as {
      run: { info: { run_id: string } };
    };
    expectError(
      await h().call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${run.info.run_id}&path=..%2F..`),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await h().call('GET', `/api/2.0/mlflow/artifacts/list?run_id=nope`),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { LATEST_VERSION, MIGRATIONS } from '../../src/migrations/index.ts';
import { runCli } from '../support/cli.ts';
import { connectTestCql, dropKeyspace } from '../support/cql.ts';

const run = (...args: string[]) => runCli(args, { AGENTSTORE_KEYSPACE: undefined });

describe('agentstore CLI', () => {
  it('has --help for every command', async () => {
    const top = await run('--help');
    expect(top.code).toBe(0);
    for (const cmd of ['migrate', 'status', 'seed', 'verify']) {
      expect(top.stdout).toContain(cmd);
      const help = await run(cmd, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Usage: agentstore ${cmd}`));
      expect(help.stdout).toContain('--cql');
    }
  });

  it('names the bad flag and the fix, and exits 2', async () => {
    const cases: [string[], RegExp][] = [
      [['seed', '--sessions', 'lots'], /--sessions must be a whole number from 1 to 10000000 \(got "lots"\)/],
      [['seed', '--end-date', '2026-13-45'], /--end-date must be a day written YYYY-MM-DD/],
      [['migrate', '--keyspace', 'Bad-Name'], /--keyspace .* is not a valid keyspace name/],
      [['migrate', '--dialect', 'mysql'], /--dialect .* "mysql" is not one of auto, scylla, cassandra/],
      [['verify', '--cql', 'host:port:extra'], /--cql .* is not host\[:port\]/],
      [['migrate', '--target', '99'], /--target must be a whole number from 1 to \d/],
      [['migrate', '--fresh'], /--fresh needs --keyspace/],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('says how to start the services when the CQL server is unreachable', async () => {
    const r = await run('status', '--cql', '127.0.0.1:1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the CQL server at 127\.0\.0\.1:1 .*make services-up/);
  });

  it('migrates and reports the schema version', async () => {
    const ks = `t_cli_${process.pid}`;
    const versions = MIGRATIONS.map((m) => m.version);
    expect((await run('migrate', '--keyspace', ks)).stdout).toContain(
      `schema at version ${LATEST_VERSION} (applied ${versions.join(', ')})`,
    );
    const status = await run('status', '--keyspace', ks);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/cassandra 5\.0\.\d+/);
    expect(status.stdout).toContain(`at version ${LATEST_VERSION} of ${LATEST_VERSION}`);
    const c = await connectTestCql();
    await dropKeyspace(c, ks);
    await c.exec.close();
  });

  it('migrate --fresh drops and recreates a scratch keyspace, and refuses the one AGENTSTORE_KEYSPACE names', async () => {
    const ks = `t_cli_fresh_${process.pid}`;
    expect((await run('migrate', '--keyspace', ks)).code).toBe(0);
    const c = await connectTestCql();
    await c.exec.execute(`INSERT INTO ${ks}.sessions (session_id, account_id) VALUES ('left-by-an-old-release', 'a')`);
    const refused = await runCli(['migrate', '--fresh', '--keyspace', ks], { AGENTSTORE_KEYSPACE: ks });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--fresh would drop .*AGENTSTORE_KEYSPACE names/);
    const count = async () =>
      Number(String((await c.exec.execute(`SELECT count(*) AS n FROM ${ks}.sessions`)).rows[0]!['n']));
    expect(await count()).toBe(1);
    const fresh = await run('migrate', '--fresh', '--keyspace', ks);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain(`dropped keyspace ${ks} (--fresh)`);
    expect(fresh.stdout).toContain(`schema at version ${LATEST_VERSION}`);
    expect(await count()).toBe(0);
    await dropKeyspace(c, ks);
    await c.exec.close();
  });
});

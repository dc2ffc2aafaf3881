// The failures test/integration/cli-errors.test.ts cannot produce against the local services (they run
// without CQL authentication), built from the drivers' own error classes.
import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { describeFailure, endpointsOf, renderFailure } from '../../src/cli/errors.ts';
import { LOCAL } from '../../src/config/local-services.ts';
import { CqlConnectError } from '../../src/cql/driver.ts';

const { errors } = cassandra;
const at = { cql: '10.0.0.5:9042', keyspace: 'shop', redis: 'redis://:secret@redis:6379', kafka: 'k:9092' };

describe('describeFailure', () => {
  it('a refused CQL login names the server and the two variables, exit 1', () => {
    const refused = new errors.NoHostAvailableError({
      '10.0.0.5:9042': new errors.AuthenticationError('Provided username app and/or password are incorrect'),
    });
    for (const err of [refused, new CqlConnectError('10.0.0.5:9042', refused)]) {
      const f = describeFailure(err, at);
      expect(renderFailure(f)).toBe(
        'error: the CQL server at 10.0.0.5:9042 refused the login (Provided username app and/or password are incorrect); ' +
          'fix: check AGENTSTORE_CQL_USERNAME and AGENTSTORE_CQL_PASSWORD (the chart keeps them in the ScyllaDB auth Secret)',
      );
      expect(f.exitCode).toBe(1);
    }
  });

  it('a server that cannot meet the consistency level is an overload or a replica down, exit 1', () => {
    const f = describeFailure(new errors.ResponseError(0x1000, 'Cannot achieve consistency level LOCAL_QUORUM'), at);
    expect(f.cause).toMatch(/could not serve the request in time \(Cannot achieve consistency level LOCAL_QUORUM\)/);
    expect(f.fix).toMatch(/nodetool status/);
  });

  it('a table dropped under a running command says to migrate that keyspace, exit 2', () => {
    const f = describeFailure(new errors.ResponseError(0x2200, 'unconfigured table steps_by_turn'), at);
    expect(f).toMatchObject({ exitCode: 2, fix: 'run `agentstore migrate --keyspace shop` (or check --keyspace)' });
  });

  it('never shows a password from a URL', () => {
    const f = describeFailure(new Error('WRONGPASS invalid username-password pair or user is disabled.'), at);
    expect(f.cause).toBe(
      'Redis at redis://redis:6379 refused the password (WRONGPASS invalid username-password pair or user is disabled.)',
    );
  });

  it('anything else is a bug: its message, flagged for the stack', () => {
    const f = describeFailure(new TypeError('x.y is not a function'), at);
    expect(f).toMatchObject({ cause: 'x.y is not a function', exitCode: 1 });
    expect(f.fix).toMatch(/AGENTSTORE_DEBUG=1/);
  });
});

describe('endpointsOf', () => {
  it('takes --cql/--keyspace/--pg from the command line, else the environment, else the local services', () => {
    expect(endpointsOf(['verify', '--cql', 'a:1', '--keyspace=k', '--pg', 'postgres://h/db'], {}, LOCAL)).toEqual({
      cql: 'a:1',
      keyspace: 'k',
      redis: LOCAL.redis,
      kafka: LOCAL.kafka,
      postgres: 'postgres://h/db',
    });
    expect(endpointsOf(['status'], { AGENTSTORE_CQL: 'b:2', AGENTSTORE_REDIS: 'redis://r' }, LOCAL)).toMatchObject({
      cql: 'b:2',
      keyspace: 'agentstore',
      redis: 'redis://r',
    });
  });
});

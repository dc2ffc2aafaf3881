/**
 * The backup CronJob: off by default; to S3 with keys from a Secret and an egress policy for the
 * endpoint, or to a PVC; bad targets fail the render with the fix; helm test's round trip.
 */
import { describe, expect, it } from 'vitest';
import { helmTemplate, render, type K8sObject } from './support/render.ts';
import { missingTools } from './support/tools.ts';

const CHART = 'charts/agentstore';
const why = missingTools();
const S3 = [
  'backup.enabled=true',
  'backup.target.s3.bucket=backups',
  'backup.target.s3.existingSecret=s3-keys',
  'backup.target.s3.endpoint=http://seaweedfs.storage.svc:8333',
  'backup.target.s3.egressCidr=10.0.0.0/8',
  'backup.target.s3.port=8333',
];
type Container = { command: string[]; args: string[]; env: { name: string; value?: string; valueFrom?: unknown }[] };
const cronContainer = (o: K8sObject): Container =>
  (o['spec'] as { jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } }).jobTemplate.spec
    .template.spec.containers[0]!;

describe.skipIf(why !== null)(`backup in charts/agentstore${why ? ` (skipped: ${why})` : ''}`, () => {
  it('renders no backup objects by default', async () => {
    const { objects } = await render('helm4', { chart: CHART });
    expect(objects.filter((o) => o.metadata.name.includes('backup'))).toEqual([]);
  });

  it('to S3: a CronJob running the bundle with keys from the Secret, and egress to the endpoint only', async () => {
    const { objects, text } = await render('helm4', { chart: CHART, release: 'rel', set: S3 });
    const cron = objects.find((o) => o.kind === 'CronJob');
    expect(cron?.metadata.name).toBe('rel-agentstore-backup');
    const c = cronContainer(cron!);
    expect(c.command).toEqual(['node', '/app/agentstore.mjs', 'backup']);
    expect(c.args).toContain('--to=s3://backups/agentstore');
    expect(c.args).toContain('--keep=7');
    const env = Object.fromEntries(c.env.map((e) => [e.name, e.value ?? JSON.stringify(e.valueFrom)]));
    expect(env['AGENTSTORE_S3_ENDPOINT']).toBe('http://seaweedfs.storage.svc:8333');
    expect(env['AWS_ACCESS_KEY_ID']).toContain('"s3-keys"');
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'rel-agentstore-backup-s3');
    expect(JSON.stringify(policy!['spec'])).toContain('"cidr":"10.0.0.0/8"');
    expect(JSON.stringify(policy!['spec'])).toContain('"port":8333');
    // helm test: backup of the test keyspace, restore into the scratch keyspace, verify.
    expect(text).toContain('BACKUP_URL, value: "s3://backups/agentstore/helm-test"');
  });

  it('to a PVC: the claim is mounted and kept on uninstall', async () => {
    const { objects } = await render('helm4', {
      chart: CHART,
      release: 'rel',
      set: ['backup.enabled=true', 'backup.target.pvc.enabled=true'],
    });
    expect(cronContainer(objects.find((o) => o.kind === 'CronJob')!).args).toContain('--to=file:///backups');
    const pvc = objects.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'rel-agentstore-backups');
    expect(pvc?.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
  });

  it('refuses an S3 target without a bucket or Secret, and unknown keys', async () => {
    const r = await helmTemplate('helm4', { chart: CHART, set: ['backup.enabled=true'] });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('backup.enabled needs backup.target.s3.bucket and backup.target.s3.existingSecret');
    const bad = await helmTemplate('helm4', { chart: CHART, set: ['backup.target.s3.bucketName=x'] });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("additional properties 'bucketName' not allowed");
  });
});

/** The OpenAPI -> strict JSON schema converter behind kubeconform's offline schemas. */
import { describe, expect, it } from 'vitest';
import { convertCrd, convertSwagger, schemaFileName, strictify } from '../../scripts/setup/k8s-schemas.ts';

describe('k8s schema converter', () => {
  it('names files the way kubeconform looks them up', () => {
    expect(schemaFileName({ group: 'apps', version: 'v1', kind: 'Deployment' })).toBe('deployment-apps-v1.json');
    expect(schemaFileName({ group: '', version: 'v1', kind: 'ConfigMap' })).toBe('configmap-v1.json');
    expect(schemaFileName({ group: 'monitoring.coreos.com', version: 'v1', kind: 'ServiceMonitor' })).toBe(
      'servicemonitor-monitoring-v1.json',
    );
  });

  it('closes objects, allows null, and maps int-or-string, walking schemas and not property names', () => {
    const out = strictify({
      type: 'object',
      properties: {
        format: { type: 'string', format: 'byte' },
        port: { type: 'string', format: 'int-or-string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true },
      },
    });
    expect(out).toEqual({
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        format: { type: ['string', 'null'] },
        port: { oneOf: [{ type: ['string', 'null'] }, { type: 'integer' }] },
        labels: { type: ['object', 'null'], additionalProperties: { type: ['string', 'null'] } },
        free: { type: ['object', 'null'], properties: { a: { type: ['string', 'null'] } } },
      },
    });
  });

  it('makes one standalone schema per kind, with only the definitions it reaches (recursion-safe)', () => {
    const files = convertSwagger({
      'a.Widget': {
        type: 'object',
        'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Widget' }],
        properties: { spec: { $ref: '#/definitions/a.Spec' } },
      },
      'a.Spec': {
        type: 'object',
        properties: {
          child: { $ref: '#/definitions/a.Spec' },
          size: { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' },
        },
      },
      'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
      'a.Unused': { type: 'object', properties: {} },
    });
    expect([...files.keys()]).toEqual(['widget-example-v1.json']);
    const widget = files.get('widget-example-v1.json') as {
      definitions: Record<string, unknown>;
      additionalProperties: unknown;
    };
    expect(Object.keys(widget.definitions).sort()).toEqual(['a.Spec', 'io.k8s.apimachinery.pkg.api.resource.Quantity']);
    expect(widget.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity']).toEqual({
      oneOf: [{ type: ['string', 'null'] }, { type: 'number' }],
    });
    expect(widget.additionalProperties).toBe(false);
  });

  it('converts each served version of a CRD', () => {
    const crd =
      `spec:\n  group: monitoring.coreos.com\n  names: {kind: ServiceMonitor}\n  versions:\n` +
      `    - {name: v1, served: true, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {jobLabel: {type: string}}}}}}}\n` +
      `    - {name: v0, served: false, schema: {openAPIV3Schema: {type: object}}}\n`;
    const files = convertCrd(crd);
    expect([...files.keys()]).toEqual(['servicemonitor-monitoring-v1.json']);
    expect(files.get('servicemonitor-monitoring-v1.json')).toMatchObject({
      properties: { spec: { additionalProperties: false } },
    });
  });
});

// Certificates and kubeconfigs of the sandbox cluster, made once per checkout with openssl: a CA, the API
// server's serving certificate (for the node address and the in-cluster names), one client certificate per
// identity, and the service-account signing key. A test cluster inside its own network namespace, so the control
// plane's clients share the admin identity (system:masters); the kubelet has its own node identity.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import { API_URL, CLUSTER_DOMAIN, KUBECONFIG, KUBERNETES_SERVICE_IP, NODE_IP, NODE_NAME, stateFile } from './layout.ts';

export const PKI = stateFile('pki');
export const pki = (f: string): string => path.join(PKI, f);
const ssl = $({ quiet: true, timeout: '60s' });
const DAYS = '3650';

async function clientCert(name: string, cn: string, org: string): Promise<void> {
  if (existsSync(pki(`${name}.crt`))) return;
  await ssl`openssl req -new -newkey rsa:2048 -nodes -keyout ${pki(`${name}.key`)} -subj ${`/CN=${cn}/O=${org}`} -out ${pki(`${name}.csr`)}`;
  await writeFile(
    pki(`${name}.ext`),
    'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
  );
  await ssl`openssl x509 -req -in ${pki(`${name}.csr`)} -CA ${pki('ca.crt')} -CAkey ${pki('ca.key')} -CAcreateserial -days ${DAYS} -extfile ${pki(`${name}.ext`)} -out ${pki(`${name}.crt`)}`;
}

function kubeconfig(user: string, cert: string, key: string): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: agentstore-sandbox
    cluster:
      server: ${API_URL}
      certificate-authority: ${pki('ca.crt')}
users:
  - name: ${user}
    user:
      client-certificate: ${cert}
      client-key: ${key}
contexts:
  - name: agentstore-sandbox
    context: { cluster: agentstore-sandbox, user: ${user} }
current-context: agentstore-sandbox
`;
}

/** Idempotent: existing files are kept, so a restart keeps the cluster's identity and its service-account tokens. */
export async function ensurePki(): Promise<string> {
  await mkdir(PKI, { recursive: true, mode: 0o700 });
  if (!existsSync(pki('ca.crt'))) {
    await ssl`openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ${pki('ca.key')} -days ${DAYS} -subj /CN=agentstore-sandbox-ca -out ${pki('ca.crt')}`;
  }
  if (!existsSync(pki('apiserver.crt'))) {
    const names = [
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      `kubernetes.default.svc.${CLUSTER_DOMAIN}`,
      'localhost',
      NODE_NAME,
    ];
    const sans = [
      ...names.map((n) => `DNS:${n}`),
      ...[NODE_IP, KUBERNETES_SERVICE_IP, '127.0.0.1'].map((ip) => `IP:${ip}`),
    ];
    await ssl`openssl req -new -newkey rsa:2048 -nodes -keyout ${pki('apiserver.key')} -subj /CN=kube-apiserver -out ${pki('apiserver.csr')}`;
    await writeFile(
      pki('apiserver.ext'),
      `subjectAltName=${sans.join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`,
    );
    await ssl`openssl x509 -req -in ${pki('apiserver.csr')} -CA ${pki('ca.crt')} -CAkey ${pki('ca.key')} -CAcreateserial -days ${DAYS} -extfile ${pki('apiserver.ext')} -out ${pki('apiserver.crt')}`;
  }
  await clientCert('admin', 'agentstore-sandbox-admin', 'system:masters');
  await clientCert('kubelet', `system:node:${NODE_NAME}`, 'system:nodes');
  if (!existsSync(pki('sa.key'))) {
    await ssl`openssl genrsa -out ${pki('sa.key')} 2048`;
    await ssl`openssl rsa -in ${pki('sa.key')} -pubout -out ${pki('sa.pub')}`;
  }
  await writeFile(KUBECONFIG, kubeconfig('admin', pki('admin.crt'), pki('admin.key')), { mode: 0o600 });
  await writeFile(stateFile('kubelet.kubeconfig'), kubeconfig('kubelet', pki('kubelet.crt'), pki('kubelet.key')), {
    mode: 0o600,
  });
  return (await readFile(pki('ca.crt'), 'utf8')).length > 0 ? 'CA, API server, admin and kubelet certificates' : '';
}

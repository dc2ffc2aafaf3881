// The cluster's add-ons, as pods on our own images: CoreDNS (the kube-dns Service) and local-path-provisioner
// (the default StorageClass, volumes under .cluster/volumes). Applied with kubectl server-side apply, so a
// repeated `up` changes nothing.
import { COREDNS, LOCAL_PATH_PROVISIONER } from './versions.ts';
import { CLUSTER_DOMAIN, DNS_SERVICE_IP, stateFile } from './layout.ts';
import { HELPER_IMAGE, SANDBOX_REGISTRY } from './images/recipes.ts';

export const VOLUMES_DIR = stateFile('volumes');

const coredns = () => `
apiVersion: v1
kind: ServiceAccount
metadata: { name: coredns, namespace: kube-system }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: "system:coredns" }
rules:
  - apiGroups: [""]
    resources: [endpoints, services, pods, namespaces]
    verbs: [list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: "system:coredns" }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns" }
subjects: [{ kind: ServiceAccount, name: coredns, namespace: kube-system }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: coredns, namespace: kube-system }
data:
  # No forward: nothing exists outside the sandbox's network namespace.
  Corefile: |
    .:53 {
        errors
        health {
            lameduck 2s
        }
        ready
        kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
            ttl 30
        }
        cache 30
        loadbalance
    }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: coredns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec:
  replicas: 1
  selector: { matchLabels: { k8s-app: kube-dns } }
  template:
    metadata: { labels: { k8s-app: kube-dns } }
    spec:
      serviceAccountName: coredns
      dnsPolicy: Default
      priorityClassName: system-cluster-critical
      containers:
        - name: coredns
          image: ${SANDBOX_REGISTRY}/coredns/coredns:${COREDNS}
          imagePullPolicy: IfNotPresent
          args: [-conf, /etc/coredns/Corefile]
          ports:
            - { name: dns, containerPort: 53, protocol: UDP }
            - { name: dns-tcp, containerPort: 53, protocol: TCP }
          resources: { requests: { cpu: 20m, memory: 32Mi }, limits: { memory: 128Mi } }
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: { add: [NET_BIND_SERVICE], drop: [ALL] }
            readOnlyRootFilesystem: true
          livenessProbe: { httpGet: { path: /health, port: 8080 }, periodSeconds: 10 }
          readinessProbe: { httpGet: { path: /ready, port: 8181 }, periodSeconds: 5 }
          volumeMounts: [{ name: config, mountPath: /etc/coredns, readOnly: true }]
      volumes: [{ name: config, configMap: { name: coredns } }]
---
apiVersion: v1
kind: Service
metadata: { name: kube-dns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec:
  clusterIP: ${DNS_SERVICE_IP}
  selector: { k8s-app: kube-dns }
  ports:
    - { name: dns, port: 53, protocol: UDP }
    - { name: dns-tcp, port: 53, protocol: TCP }
`;

const localPath = () => `
apiVersion: v1
kind: Namespace
metadata: { name: local-path-storage }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: local-path-provisioner-service-account, namespace: local-path-storage }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: local-path-provisioner }
rules:
  - apiGroups: [""]
    resources: [nodes, persistentvolumeclaims, configmaps, pods, pods/log]
    verbs: [get, list, watch, create, patch, update, delete]
  - apiGroups: [""]
    resources: [persistentvolumes, events]
    verbs: [get, list, watch, create, patch, update, delete]
  - apiGroups: [storage.k8s.io]
    resources: [storageclasses]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: local-path-provisioner }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: local-path-provisioner }
subjects: [{ kind: ServiceAccount, name: local-path-provisioner-service-account, namespace: local-path-storage }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: local-path-config, namespace: local-path-storage }
data:
  config.json: |
    { "nodePathMap": [{ "node": "DEFAULT_PATH_FOR_NON_LISTED_NODES", "paths": ["${VOLUMES_DIR}"] }] }
  # Mode 0777 as upstream: any pod user can write its volume (kind and k3s behave the same).
  setup: |
    #!/bin/sh
    set -eu
    mkdir -m 0777 -p "$VOL_DIR"
  teardown: |
    #!/bin/sh
    set -eu
    rm -rf "$VOL_DIR"
  helperPod.yaml: |
    apiVersion: v1
    kind: Pod
    metadata: { name: helper-pod }
    spec:
      priorityClassName: system-node-critical
      tolerations: [{ key: node.kubernetes.io/disk-pressure, operator: Exists, effect: NoSchedule }]
      containers:
        - name: helper-pod
          image: ${HELPER_IMAGE}
          imagePullPolicy: IfNotPresent
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: local-path-provisioner, namespace: local-path-storage }
spec:
  replicas: 1
  selector: { matchLabels: { app: local-path-provisioner } }
  template:
    metadata: { labels: { app: local-path-provisioner } }
    spec:
      # The provisioner's helper pods run under this name too (its default).
      serviceAccountName: local-path-provisioner-service-account
      containers:
        - name: local-path-provisioner
          image: ${SANDBOX_REGISTRY}/rancher/local-path-provisioner:${LOCAL_PATH_PROVISIONER}
          imagePullPolicy: IfNotPresent
          command: [local-path-provisioner, start, --config, /etc/config/config.json]
          env:
            - { name: POD_NAMESPACE, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
            - { name: CONFIG_MOUNT_PATH, value: /etc/config/ }
          resources: { requests: { cpu: 10m, memory: 32Mi }, limits: { memory: 128Mi } }
          volumeMounts: [{ name: config, mountPath: /etc/config/ }]
      volumes: [{ name: config, configMap: { name: local-path-config } }]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-path
  annotations: { storageclass.kubernetes.io/is-default-class: "true" }
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
`;

export const addonManifests = (): string => `${coredns()}\n---\n${localPath()}`;

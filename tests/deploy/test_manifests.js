#!/usr/bin/env node
// test_manifests.js — the deploy/ files parse and agree with the worker:
//   - every YAML document in deploy/ and deploy/k8s parses (yaml, strict);
//   - the kinds an operator needs are there and kustomization lists them all;
//   - the Deployment probes /healthz and /readyz on the configured port, gives
//     the drain time to finish, runs non-root, and shares the ClamAV
//     database volume with a freshclam sidecar;
//   - the console runs as one replica (Recreate) with its database on a
//     persistent volume at AW_CONSOLE_DB, probed on its own port;
//   - every environment variable the manifests, the compose file and the
//     Dockerfile set for the worker is one `asset-worker run --help` documents,
//     and every one set for the console one `asset-worker console --help`
//     documents (so they cannot drift apart).
// usage: node test_manifests.js ASSET_WORKER_BINARY
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const YAML = require('yaml');

const root = path.resolve(__dirname, '../..');
const deploy = path.join(root, 'deploy');
const help = execFileSync(process.argv[2], ['run', '--help'], { encoding: 'utf8' });
const consoleHelp = execFileSync(process.argv[2], ['console', '--help'], { encoding: 'utf8' });
let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; return; }
  failed++;
  console.log(`FAIL: ${name}${detail ? `\n    ${detail}` : ''}`);
}

// --- parse everything --------------------------------------------------------
const files = [...fs.readdirSync(deploy).map(f => path.join(deploy, f)),
               ...fs.readdirSync(path.join(deploy, 'k8s')).map(f => path.join(deploy, 'k8s', f))]
  .filter(f => /\.ya?ml$/.test(f));
const docs = [];
for (const file of files) {
  const parsed = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'), { strict: true, uniqueKeys: true });
  const errors = parsed.flatMap(d => d.errors.map(e => e.message));
  check(`${path.relative(root, file)} parses`, errors.length === 0, errors.join('; '));
  for (const d of parsed) if (!d.errors.length) docs.push({ file, doc: d.toJS() });
}
check('found the compose file and the k8s manifests', files.length >= 7, files.join(' '));

const byKind = kind => docs.filter(d => d.doc && d.doc.kind === kind).map(d => d.doc);
for (const kind of ['ConfigMap', 'PodDisruptionBudget', 'ScaledObject', 'PersistentVolumeClaim'])
  check(`a ${kind} is defined`, byKind(kind).length === 1);
const named = (kind, name) => byKind(kind).find(d => d.metadata && d.metadata.name === name);
for (const name of ['asset-worker', 'asset-console'])
  check(`a Deployment ${name} is defined`, Boolean(named('Deployment', name)));
check('two Services (worker metrics, console)', byKind('Service').length === 2);
const kustomization = byKind('Kustomization')[0] || { resources: [] };
const k8sFiles = fs.readdirSync(path.join(deploy, 'k8s')).filter(f => f !== 'kustomization.yaml');
check('kustomization lists every manifest', k8sFiles.every(f => kustomization.resources.includes(f)),
      `missing: ${k8sFiles.filter(f => !kustomization.resources.includes(f))}`);

// --- the Deployment ------------------------------------------------------------
const dep = named('Deployment', 'asset-worker') || { spec: { template: { spec: { containers: [] } } } };
const pod = dep.spec.template.spec;
const worker = pod.containers.find(c => c.name === 'asset-worker') || {};
const cm = byKind('ConfigMap')[0] || { data: {} };
const port = (worker.ports || []).find(p => p.name === 'http') || {};
check('the http port is AW_HTTP_PORT', String(port.containerPort) === cm.data.AW_HTTP_PORT,
      `${port.containerPort} vs ${cm.data.AW_HTTP_PORT}`);
const probe = p => p && p.httpGet && `${p.httpGet.path}@${p.httpGet.port}`;
check('liveness probes /healthz', probe(worker.livenessProbe) === '/healthz@http');
check('readiness probes /readyz', probe(worker.readinessProbe) === '/readyz@http');
check('a startup probe covers the first database load', Boolean(worker.startupProbe));
const grace = Number(cm.data.AW_GRACE || 30);
check('terminationGracePeriodSeconds covers the drain and the final commits (grace + 15 s)',
      pod.terminationGracePeriodSeconds >= grace + 15, `${pod.terminationGracePeriodSeconds} < ${grace + 15}`);
check('memory request and limit are set', worker.resources && worker.resources.limits &&
      worker.resources.limits.memory && worker.resources.requests.memory);
check('runs as a non-root user', pod.securityContext.runAsNonRoot === true && pod.securityContext.runAsUser > 0);
const dbMount = c => (c.volumeMounts || []).find(m => m.mountPath === cm.data.AW_CLAMAV_DB);
const fresh = pod.containers.find(c => c.name === 'freshclam');
check('a freshclam sidecar writes the volume the worker reads as AW_CLAMAV_DB',
      fresh && dbMount(fresh) && dbMount(worker) && dbMount(fresh).name === dbMount(worker).name &&
      !dbMount(fresh).readOnly);
check('the PodDisruptionBudget selects the Deployment\'s pods',
      JSON.stringify(byKind('PodDisruptionBudget')[0].spec.selector) === JSON.stringify(dep.spec.selector));
const so = byKind('ScaledObject')[0];
check('KEDA scales this Deployment on the worker\'s consumer group',
      so.spec.scaleTargetRef.name === dep.metadata.name &&
      so.spec.triggers.every(t => t.type === 'kafka' && t.metadata.consumerGroup === cm.data.AW_GROUP));

// --- the console --------------------------------------------------------------
const cdep = named('Deployment', 'asset-console') || { spec: { template: { spec: { containers: [] } } } };
const cpod = cdep.spec.template.spec;
const cons = cpod.containers.find(c => c.name === 'asset-console') || {};
const cenv = Object.fromEntries((cons.env || []).map(e => [e.name, e.value]));
check('the console runs `console`, one replica, Recreate (one SQLite writer)',
      JSON.stringify(cons.args) === '["console"]' && cdep.spec.replicas === 1 &&
      cdep.spec.strategy && cdep.spec.strategy.type === 'Recreate');
const cport = (cons.ports || []).find(p => p.name === 'http') || {};
check('the console listens on AW_CONSOLE_HTTP_PORT', String(cport.containerPort) === cenv.AW_CONSOLE_HTTP_PORT);
check('the console is probed on /healthz', probe(cons.livenessProbe) === '/healthz@http' &&
      probe(cons.readinessProbe) === '/healthz@http');
const dbDir = cenv.AW_CONSOLE_DB ? path.posix.dirname(cenv.AW_CONSOLE_DB) : '?';
const dbVolume = (cons.volumeMounts || []).find(m => m.mountPath === dbDir);
const claim = dbVolume && (cpod.volumes || []).find(v => v.name === dbVolume.name);
check('the console\'s database is on the persistent volume claim',
      claim && claim.persistentVolumeClaim &&
      claim.persistentVolumeClaim.claimName === byKind('PersistentVolumeClaim')[0].metadata.name,
      `AW_CONSOLE_DB ${cenv.AW_CONSOLE_DB}`);
const cservice = byKind('Service').find(s => s.metadata.name === 'asset-console');
check('the console\'s Service selects its pods', cservice &&
      JSON.stringify(cservice.spec.selector) === JSON.stringify(cdep.spec.selector.matchLabels));

// --- environment variables ⊆ run --help --------------------------------------------
const documented = name => new RegExp(`(^|[^A-Z0-9_])${name}([^A-Z0-9_]|$)`).test(help) ||
  (name.startsWith('AW_RDKAFKA_') && help.includes('AW_RDKAFKA_KEY_NAME'));
const set = new Map(); // name → where
const add = (names, where) => names.forEach(n => set.set(n, where));
add(Object.keys(cm.data), 'k8s/configmap.yaml');
add((worker.env || []).map(e => e.name), 'k8s/deployment.yaml');
const compose = docs.find(d => d.doc && d.doc.services);
add(Object.keys(compose.doc.services['asset-worker'].environment), 'compose.yaml');
const dockerfile = fs.readFileSync(path.join(deploy, 'Dockerfile'), 'utf8');
const envBlock = (dockerfile.match(/^ENV [\s\S]*?[^\\]$/m) || [''])[0];
add([...envBlock.matchAll(/([A-Z][A-Z0-9_]+)=/g)].map(m => m[1]), 'Dockerfile');
check('the worker\'s environment was found in every file', set.size >= 20, `${set.size} names`);
for (const [name, where] of set)
  check(`${name} (${where}) is documented in run --help`, documented(name));
const consoleSet = new Map();
(cons.env || []).forEach(e => consoleSet.set(e.name, 'k8s/console.yaml'));
Object.keys(compose.doc.services.console.environment).forEach(n => consoleSet.set(n, 'compose.yaml'));
const inConsoleHelp = name => new RegExp(`(^|[^A-Z0-9_])${name}([^A-Z0-9_]|$)`).test(consoleHelp);
check('the console\'s environment was found', consoleSet.size >= 8, `${consoleSet.size} names`);
for (const [name, where] of consoleSet)
  check(`${name} (${where}) is documented in console --help`, inConsoleHelp(name));
// what the console takes from the worker's ConfigMap, it must read too
for (const name of ['AW_BROKERS', 'AW_STORAGE', 'AW_TOPIC_UPLOADS', 'AW_TOPIC_EVENTS', 'AW_TOPIC_DLQ'])
  check(`console --help documents ${name} (it reads the worker's ConfigMap)`, inConsoleHelp(name));

console.log(`deploy: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

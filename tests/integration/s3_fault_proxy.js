// s3_fault_proxy.js — an HTTP proxy between the worker and the S3 server of
// the tests, which misbehaves on purpose for the first requests.
//
// usage: node s3_fault_proxy.js UPSTREAM_PORT FAULTS STATS_FILE
//   FAULTS: comma list applied to the first requests in order, "*" after the
//   last one repeats it forever; "-" for none. Each fault is one of
//     500, 503, slowdown (503 with SlowDown), 403, reset (connection closed
//     without an answer), corrupt (a PUT's body has one byte flipped; a list
//     of corrupt faults counts PUT requests only).
//   Prints "port N" once listening; writes {requests, faults, bytesToClient}
//   to STATS_FILE after every request.
'use strict';
const http = require('http');
const fs = require('fs');

const [upstreamPort, faultSpec, statsFile] = process.argv.slice(2);
const faults = faultSpec === '-' ? [] : faultSpec.split(',');
const forever = faults.length > 0 && faults[faults.length - 1].endsWith('*');
if (forever) faults[faults.length - 1] = faults[faults.length - 1].slice(0, -1);
const putsOnly = faults.length > 0 && faults[0] === 'corrupt';
const stats = { requests: 0, puts: 0, faults: 0, bytesToClient: 0 };

function save() { fs.writeFileSync(statsFile, JSON.stringify(stats)); }

function faultFor(n) {
  if (n < faults.length) return faults[n];
  return forever ? faults[faults.length - 1] : null;
}

function errorReply(res, status, code) {
  res.writeHead(status, { 'Content-Type': 'application/xml', Connection: 'close' });
  res.end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>injected</Message></Error>`);
}

function forward(req, res, corrupt) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (corrupt && body.length > 0) body[body.length >> 1] ^= 0xff;
    const up = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method,
                              path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode, ur.headers);
      ur.on('data', (d) => { stats.bytesToClient += d.length; res.write(d); });
      ur.on('end', () => { res.end(); save(); });
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    up.end(body);
  });
}

const server = http.createServer((req, res) => {
  stats.requests++;
  if (req.method === 'PUT') stats.puts++;
  const act = putsOnly ? (req.method === 'PUT' ? faultFor(stats.puts - 1) : null)
                       : faultFor(stats.requests - 1);
  if (act) stats.faults++;
  save();
  if (act === 'reset') return req.socket.destroy();
  if (act === '500') return errorReply(res, 500, 'InternalError');
  if (act === '503') return errorReply(res, 503, 'ServiceUnavailable');
  if (act === 'slowdown') return errorReply(res, 503, 'SlowDown');
  if (act === '403') return errorReply(res, 403, 'AccessDenied');
  forward(req, res, act === 'corrupt');
});
server.listen(0, '127.0.0.1', () => {
  save();
  console.log(`port ${server.address().port}`);
});

// s3_fault_proxy.js — an HTTP proxy between the worker and the S3 server of
// the tests, which misbehaves on purpose for the first requests.
//
// usage: node s3_fault_proxy.js UPSTREAM_PORT FAULTS STATS_FILE [DELAY_MS [BYTES_PER_S]]
//   FAULTS: comma list applied to the first requests in order, "*" after the
//   last one repeats it forever; "-" for none. Each fault is one of
//     500, 503, slowdown (503 with SlowDown), 403, reset (connection closed
//     without an answer), corrupt (a PUT's body has one byte flipped; a list
//     of corrupt faults counts PUT requests only).
//   DELAY_MS: every request waits this long before it is forwarded (a storage
//   round trip as real S3 has, 20-100 ms); BYTES_PER_S: answers' bodies reach
//   the client no faster than this (a large download that takes a while).
//   Prints "port N" once listening; writes {requests, puts, faults,
//   bytesToClient, inFlight, maxInFlight} to STATS_FILE after every request.
'use strict';
const http = require('http');
const fs = require('fs');

const [upstreamPort, faultSpec, statsFile, delayArg, rateArg] = process.argv.slice(2);
const delayMs = Number(delayArg || 0);
const bytesPerS = Number(rateArg || 0);
const faults = faultSpec === '-' ? [] : faultSpec.split(',');
const forever = faults.length > 0 && faults[faults.length - 1].endsWith('*');
if (forever) faults[faults.length - 1] = faults[faults.length - 1].slice(0, -1);
const putsOnly = faults.length > 0 && faults[0] === 'corrupt';
const stats = { requests: 0, puts: 0, faults: 0, bytesToClient: 0, inFlight: 0, maxInFlight: 0 };

function save() { fs.writeFileSync(statsFile, JSON.stringify(stats)); }

function faultFor(n) {
  if (n < faults.length) return faults[n];
  return forever ? faults[faults.length - 1] : null;
}

function errorReply(res, status, code) {
  res.writeHead(status, { 'Content-Type': 'application/xml', Connection: 'close' });
  res.end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>injected</Message></Error>`);
}

// Passes the upstream body on, paced to bytesPerS when set.
function relay(ur, res) {
  ur.on('data', (d) => {
    stats.bytesToClient += d.length;
    res.write(d);
    if (bytesPerS > 0) {
      ur.pause();
      setTimeout(() => ur.resume(), (d.length * 1000) / bytesPerS);
    }
  });
  ur.on('end', () => { res.end(); save(); });
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
      relay(ur, res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    up.end(body);
  });
}

const server = http.createServer((req, res) => {
  stats.requests++;
  stats.inFlight++;
  stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
  res.on('close', () => { stats.inFlight--; save(); });
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
  if (delayMs > 0) setTimeout(() => forward(req, res, act === 'corrupt'), delayMs);
  else forward(req, res, act === 'corrupt');
});
server.listen(0, '127.0.0.1', () => {
  save();
  console.log(`port ${server.address().port}`);
});

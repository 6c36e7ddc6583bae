// gltf_validate.js FILE — the Khronos glTF validator (npm gltf-validator,
// pinned in tests/package-lock.json) on one .gltf or .glb; prints one line:
// "errors drawCalls vertices triangles materials" from its report. External
// resources are refused, as the worker refuses them.
'use strict';
const fs = require('fs');
const path = require('path');
const validator = require(path.join(__dirname, '..', 'node_modules', 'gltf-validator'));

const data = new Uint8Array(fs.readFileSync(process.argv[2]));
validator
  .validateBytes(data, { externalResourceFunction: () => Promise.reject(new Error('refused')) })
  .then((report) => {
    const i = report.info;
    console.log([report.issues.numErrors, i.drawCallCount, i.totalVertexCount,
      i.totalTriangleCount, i.materialCount].join(' '));
  })
  .catch((e) => {
    console.error(String(e));
    process.exit(1);
  });

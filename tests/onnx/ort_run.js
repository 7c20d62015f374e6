// tests/onnx/ort_run.js - one ONNX Runtime inference (onnxruntime-node, CPU):
//
//   NODE_PATH=DIR/node_modules node tests/onnx/ort_run.js MODEL.onnx X.bin DIMS Y.bin
//
// X.bin: raw float32 of the input's shape DIMS ("1,3,224,224"); writes the
// first output as raw float32 to Y.bin. One thread, graph optimisation 'all'.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
    const [model, xpath, dims, ypath] = process.argv.slice(2);
    const buf = fs.readFileSync(xpath);
    const shape = dims.split(',').map(Number);
    const x = new ort.Tensor('float32', new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4), shape);
    const s = await ort.InferenceSession.create(model, {
        intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'],
        graphOptimizationLevel: 'all', executionMode: 'sequential'});
    const r = await s.run({[s.inputNames[0]]: x});
    const y = r[s.outputNames[0]].data;
    fs.writeFileSync(ypath, Buffer.from(y.buffer, y.byteOffset, y.length * 4));
}
main().catch((e) => { console.error('ort_run: ' + e); process.exit(1); });

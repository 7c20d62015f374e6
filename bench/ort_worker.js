// bench/ort_worker.js - ONNX Runtime (onnxruntime-node) worker for bench/peers.py.
//
//   NODE_PATH=DIR/node_modules node bench/ort_worker.js INPUT.bin
//
// INPUT.bin: 3*224*224 float32 (CHW, batch 1). One command per stdin line,
// one reply line each:
//   load NAME MODEL.onnx T   a session with T intra-op threads -> "ok"
//   run NAME W N             W untimed runs, N timed runs -> N times in ms
//   out NAME PATH            writes the last output (float32) to PATH -> "ok"
//   quit
// Sessions: intraOpNumThreads T, interOpNumThreads 1, sequential execution,
// graphOptimizationLevel 'all', CPU execution provider.
'use strict';
const fs = require('fs');
const readline = require('readline');
const ort = require('onnxruntime-node');

const buf = fs.readFileSync(process.argv[2]);
const x = new ort.Tensor('float32',
    new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4), [1, 3, 224, 224]);
const sessions = {};
const last = {};

async function handle(words) {
    const [cmd, name] = words;
    if (cmd === 'load') {
        const T = parseInt(words[3], 10);
        sessions[name] = await ort.InferenceSession.create(words[2], {
            intraOpNumThreads: T, interOpNumThreads: 1, executionProviders: ['cpu'],
            graphOptimizationLevel: 'all', executionMode: 'sequential'});
        return 'ok';
    }
    if (cmd === 'run') {
        const s = sessions[name], w = parseInt(words[2], 10), n = parseInt(words[3], 10);
        const feeds = {[s.inputNames[0]]: x};
        let r;
        for (let i = 0; i < w; i++) r = await s.run(feeds);
        const t = [];
        for (let i = 0; i < n; i++) {
            const t0 = process.hrtime.bigint();
            r = await s.run(feeds);
            t.push((Number(process.hrtime.bigint() - t0) / 1e6).toFixed(4));
        }
        last[name] = r[s.outputNames[0]].data;
        return t.join(' ');
    }
    if (cmd === 'out') {
        const d = last[name];
        fs.writeFileSync(words[2], Buffer.from(d.buffer, d.byteOffset, d.byteLength));
        return 'ok';
    }
    if (cmd === 'version') return require('onnxruntime-node/package.json').version;
    throw new Error('unknown command: ' + words.join(' '));
}

const rl = readline.createInterface({input: process.stdin});
let chain = Promise.resolve();
rl.on('line', (line) => {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'quit') { rl.close(); return; }
    chain = chain.then(() => handle(words)).then((reply) => process.stdout.write(reply + '\n'))
        .catch((e) => { process.stderr.write('ort_worker: ' + e.message + '\n'); process.exit(2); });
});
rl.on('close', () => { chain.then(() => process.exit(0)); });

// Runs an ONNX model in ONNX Runtime (npm package onnxruntime-node) on float32 inputs read
// from raw files and writes each output as raw float32: the tests' independent int8 runtime.
// usage: node run_model.js MODEL OUT_DIR NAME=SHAPE=FILE...   (SHAPE like 1x3x32x32)
// QF_ORT_LEVEL: the graph optimization level ('all' by default; 'disabled' keeps QDQ unfused).
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
    const [model, outDir, ...feeds] = process.argv.slice(2);
    const session = await ort.InferenceSession.create(model, {graphOptimizationLevel: process.env.QF_ORT_LEVEL || 'all'});
    const inputs = {};
    for (const feed of feeds) {
        const [name, shape, file] = feed.split('=');
        const bytes = fs.readFileSync(file);
        const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
        inputs[name] = new ort.Tensor('float32', data, shape.split('x').map(Number));
    }
    const results = await session.run(inputs);
    for (const name of session.outputNames) {
        const tensor = results[name];
        fs.writeFileSync(path.join(outDir, name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.bin'),
                         Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
        fs.writeFileSync(path.join(outDir, name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.shape'), tensor.dims.join('x'));
    }
}
main().catch((error) => {
    console.error(error.message || String(error));
    process.exit(1);
});

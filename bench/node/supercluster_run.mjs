// Runs mapbox/supercluster on points written by Python, for tests and benchmarks.
// usage: node supercluster_run.mjs <points.f64> <queries.json> [--repeat N]
// points.f64: little-endian float64 pairs (lon, lat) in input order.
// queries.json: [{"bbox": [w, s, e, n], "zoom": z}, ...]
// prints JSON: {build_ms, query_ms: [...], results: [[cluster counts...] or ids per query]}
import fs from 'node:fs';
import Supercluster from 'supercluster';

const [pointsPath, queriesPath, ...rest] = process.argv.slice(2);
const repeat = rest[0] === '--repeat' ? Number(rest[1]) : 1;
const detail = rest.includes('--detail');
const buf = fs.readFileSync(pointsPath);
const coords = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
const features = [];
for (let i = 0; i < coords.length; i += 2) {
    features.push({type: 'Feature', properties: {i: i / 2},
        geometry: {type: 'Point', coordinates: [coords[i], coords[i + 1]]}});
}
const queries = JSON.parse(fs.readFileSync(queriesPath, 'utf8'));

let index;
const buildMs = [];
for (let r = 0; r < repeat; r++) {
    const t0 = process.hrtime.bigint();
    index = new Supercluster({radius: 40, extent: 512, minZoom: 0, maxZoom: 16, minPoints: 2});
    index.load(features);
    buildMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
// One untimed pass first so the JIT has compiled getClusters, as in a long-running server.
for (const q of queries) index.getClusters(q.bbox, q.zoom);
const queryMs = [];
const results = [];
for (const q of queries) {
    // Median of 5 runs per viewport: the machine is shared, single samples are noisy.
    const runs = [];
    let found;
    for (let k = 0; k < 5; k++) {
        const t0 = process.hrtime.bigint();
        found = index.getClusters(q.bbox, q.zoom);
        runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    runs.sort((a, b) => a - b);
    queryMs.push(runs[2]);
    if (detail) {
        // Clusters as [id, count, expansionZoom, sorted leaf indices]; points as their index.
        results.push(found.map(f => f.properties.cluster
            ? [f.properties.cluster_id, f.properties.point_count,
               index.getClusterExpansionZoom(f.properties.cluster_id),
               index.getLeaves(f.properties.cluster_id, Infinity).map(l => l.properties.i).sort((a, b) => a - b)]
            : f.properties.i));
    } else {
        results.push(found.length);
    }
}
process.stdout.write(JSON.stringify({build_ms: buildMs, query_ms: queryMs, results}));

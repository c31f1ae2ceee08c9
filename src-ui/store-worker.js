// The store worker's entry (a classic worker script): loads wasm-bindgen's glue for fokus-worker
// and starts the module, whose start function opens the store in OPFS and posts "ready".
importScripts('/worker/fokus_worker.js');
wasm_bindgen({ module_or_path: '/worker/fokus_worker_bg.wasm' }).catch((error) => {
  postMessage(JSON.stringify({ kind: 'failed', reason: 'Offline-Speicher konnte nicht starten: ' + error }));
});

// node launch.mjs <helm|istioctl> args…  — what the sh front ends exec.
//
// Every fake call is a fresh node process, and compiling the 300 KB bundle was a good part of each call's cost, so
// the bundle is compiled with V8's code cache, kept beside it (`<bundle>.v8cache`). A call that finds no cache, or
// one V8 rejects (the bundle was rebuilt, another node version), writes it at exit, with the functions that call
// compiled; temp file + rename, since calls run side by side.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';
import { ensureBuilt } from './build.mjs';

const [tool, ...args] = process.argv.slice(2);
const bundle = await ensureBuilt();
const cacheFile = `${bundle}.v8cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`;
const script = new vm.Script(wrapped, { filename: bundle, cachedData });
if (cachedData === undefined || script.cachedDataRejected) {
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // a cache is an optimisation: the next call tries again
    }
  });
}
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
await module.exports.main(tool, args);

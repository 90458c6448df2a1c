// node launch.mjs <helm|istioctl> args…  — what the sh front ends exec.
import { pathToFileURL } from 'node:url';
import { ensureBuilt } from './build.mjs';

const [tool, ...args] = process.argv.slice(2);
const bundle = await ensureBuilt();
const { main } = await import(pathToFileURL(bundle).href);
await main(tool, args);

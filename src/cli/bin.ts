// The executable's entry point, kept tiny on purpose. Source maps are paid for only with --debug:
// Node maps stack frames only for modules loaded after they are enabled, so they are switched on
// here, before the CLI's modules are imported, and a normal start never parses the .map files.
// first.js (signal hub, output stream guards) is static so it runs before anything else is loaded.
import './first.js';

if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
await import('./main.js');

// Imported first by main.ts, so it runs before any other module is evaluated: a Ctrl-C in the first moments of
// start-up exits 130 (nothing changed yet) instead of killing the process by signal, and a closed pipe or terminal
// never crashes a run.
import { installSignalHub } from '../apply/signal-hub.js';
import { guardOutputStreams } from './output-streams.js';

installSignalHub();
guardOutputStreams();

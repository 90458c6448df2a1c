// Loaded with `node --import` before the CLI: crypto.randomBytes (which `plan` uses for its plan id) throws a
// TypeError the CLI does not anticipate, so the test sees what a user sees when istio-upgrade has a bug.
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';

crypto.randomBytes = () => {
  throw new TypeError('simulated bug: randomBytes failed');
};
syncBuiltinESMExports();

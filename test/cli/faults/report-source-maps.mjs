// Loaded with `node --import`: reports on exit whether source maps were switched on, so a test can tell that
// only --debug pays for parsing them.
process.on('exit', () => process.stderr.write(`\nsource-maps-enabled=${process.sourceMapsEnabled}\n`));

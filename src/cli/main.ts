import { run } from './program.js';

// `bin/ripple.js` imports this file: run the CLI on the process arguments.
process.exitCode = await run(process.argv);

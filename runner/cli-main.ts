// Entry of the `gradscope` command (bin/gradscope.js loads the bundle of this file).
import { main } from './cli';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`gradscope: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 3;
  },
);

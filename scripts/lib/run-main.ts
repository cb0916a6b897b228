/**
 * @module scripts/lib/run-main
 * Runs a script's main() when the file is executed directly, then exits with its code. The exit
 * is explicit: a child process or socket that failed to close must not keep a finished run alive.
 */
import { fileURLToPath } from 'node:url';

export function runMain(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(2);
    },
  );
}

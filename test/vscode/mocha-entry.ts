// Runs mocha suites inside the VS Code extension host: the workbench loads a tests module and calls its run().
// mocha is required at run time from the repository (the extension host resolves it from out/).

type Suites = () => void;

export function runSuites(define: Suites): Promise<void> {
  // mocha 12: the constructor is a named export, not the default one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Mocha } = require('mocha') as { Mocha: new (options: object) => MochaInstance };
  const mocha = new Mocha({ ui: 'bdd', timeout: 90_000, color: false, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, 'gradscope-vscode-suite', mocha);
  define();
  return new Promise((resolve, reject) => {
    mocha.run((failures: number) => (failures > 0 ? reject(new Error(`${failures} tests failed`)) : resolve()));
  });
}

interface MochaInstance {
  suite: { emit(event: string, ...args: unknown[]): void };
  run(done: (failures: number) => void): void;
}

// `npm run test:desktop`: the same extension suite under a desktop VS Code, through @vscode/test-electron, for
// contributors who have one. Point VSCODE_EXECUTABLE_PATH at it; without it, test-electron downloads a VS Code
// build, which these machines cannot reach (here the suite runs in code-server instead: see host.ts).
import { runTests } from '@vscode/test-electron';
import { join } from 'node:path';
import { repo } from '../browser/chromium';
import { workspaceCopy } from './server';

async function main(): Promise<number> {
  const folder = workspaceCopy();
  try {
    return await runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH,
      extensionDevelopmentPath: repo,
      extensionTestsPath: join(repo, 'out/test/vscode/index.js'),
      launchArgs: [folder, '--disable-workspace-trust', '--disable-extensions'],
    });
  } catch (e) {
    process.stderr.write(`test:desktop: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

main().then((code) => process.exit(code));

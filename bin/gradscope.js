#!/usr/bin/env node
// The `gradscope` command. The TypeScript sources are bundled by `npm run build` (run by `npm install`).
require('../out/cli.js');

#!/usr/bin/env node
/** Runs the CLI from the TypeScript sources: `node --import tsx src/cli/entry.ts <args>` (the bin uses dist/). */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));

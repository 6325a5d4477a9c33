#!/usr/bin/env node
// Thin launcher: the compiled entry point lives in dist/ (built by `npm ci`/`npm run build`).
import '../dist/cli/main.js';

#!/usr/bin/env node
// Lint Cypher with Neo4j's own parser and semantic analysis
// (@neo4j-cypher/language-support, the library behind Neo4j's editors), offline.
//
// Usage: node tools/cypher-lint/lint.cjs [--param NAME]... FILE...
//   FILE.cypher  the whole file (statements separated by `;`) is checked in one call
//   FILE.md      every ```cypher fenced block
//   --param NAME declares $NAME, so statements over parameters ($rows) are not flagged
// Prints `file:line:col: error|warning: message` per diagnostic and a summary line; exits 1
// when any error was found, 2 on bad usage. Warnings do not fail.
//
// Checking is slow per call (about a second: the semantic analysis is Neo4j's compiler front
// end), so put many statements in one file rather than one file per statement.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { lintCypherQuery } = require('@neo4j-cypher/language-support');

const SEVERITY = { 1: 'error', 2: 'warning' };

function blocksOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  if (path.extname(file).toLowerCase() !== '.md') return [{ text, line: 0 }];
  const blocks = [];
  const fence = /^```cypher[^\n]*\n([\s\S]*?)^```/gm;
  let m;
  while ((m = fence.exec(text)) !== null) {
    blocks.push({ text: m[1], line: text.slice(0, m.index).split('\n').length });
  }
  return blocks;
}

function main(argv) {
  const files = [];
  const parameters = {};
  for (let i = 2; i < argv.length; i += 1) {
    if (argv[i] === '--param' && i + 1 < argv.length) parameters[argv[(i += 1)]] = [];
    else files.push(argv[i]);
  }
  if (files.length === 0) {
    process.stderr.write('usage: node lint.cjs [--param NAME]... FILE.cypher|FILE.md...\n');
    return 2;
  }
  const schema = { parameters };
  let errors = 0;
  let warnings = 0;
  let blocks = 0;
  for (const file of files) {
    for (const block of blocksOf(file)) {
      blocks += 1;
      const result = lintCypherQuery(block.text, schema, true);
      const diagnostics = Array.isArray(result) ? result : result.diagnostics;
      for (const d of diagnostics) {
        const severity = SEVERITY[d.severity];
        if (!severity) continue;
        if (severity === 'error') errors += 1;
        else warnings += 1;
        const line = d.range.start.line + 1 + block.line;
        const col = d.range.start.character + 1;
        process.stdout.write(`${file}:${line}:${col}: ${severity}: ${d.message}\n`);
      }
    }
  }
  process.stdout.write(
    `cypher-lint: ${blocks} block(s) in ${files.length} file(s): ` +
      `${errors} error(s), ${warnings} warning(s)\n`,
  );
  return errors > 0 ? 1 : 0;
}

process.exitCode = main(process.argv);

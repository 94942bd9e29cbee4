#!/usr/bin/env node
// Lint casegraph's Neo4j-dialect Cypher catalogue with Neo4j's own linter
// (@neo4j-cypher/language-support, the engine behind Neo4j's editors).
//
// Usage: node scripts/cypher-lint/lint.mjs <cypher-root-dir>
//
// The Neo4j-dialect catalogue is what casegraph runs on Neo4j:
//   - every *.cypher under <root>, recursively, except the dialect folders
//     <root>/falkordb/ and <root>/neo4j/ (as in casegraph/catalogue.py, a
//     dialect folder is a top-level folder of the catalogue);
//   - a file <root>/neo4j/REL replaces the shared file at <root>/REL; failing
//     that, the one shared file with the same name (catalogue.py finds queries
//     by file name, so neo4j/x.cypher also overrides load/x.cypher); a file
//     that matches neither is linted on its own.
//
// Prints one JSON object:
//   {"files": N, "errors": [{"file", "line", "column", "message"}], "warnings": [...]}
// file is relative to <root>; line and column count from 1.
// Exit status: 1 if any diagnostic has severity Error, 0 if none, 2 on usage errors.
//
// What counts: syntax errors, semantic errors of Neo4j's Cypher 5 front end
// (e.g. removed syntax such as exists(n.prop)), and calls to functions or
// procedures that a plain Neo4j (no APOC, no GDS, no FalkorDB procedures) does
// not have. What does not: "Parameter $x is not defined" (templates take
// $parameters at run time), and warnings (deprecations, performance hints).
// No labels, relationship types or property keys are passed, so there are no
// "not present in the database" warnings for them: catalogue.py already checks
// names against casegraph/model.yaml.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as cypher from '@neo4j-cypher/language-support';

const USAGE = 'usage: node scripts/cypher-lint/lint.mjs <cypher-root-dir>';
const DIALECTS = new Set(['falkordb', 'neo4j']);
const CYPHER_VERSIONS = ['CYPHER 5', 'CYPHER 25'];
// Built-in procedure namespaces of Neo4j itself; anything else (apoc.*, gds.*,
// FalkorDB's algo.* / db.idx.*) is not in a plain Neo4j server.
const BUILTIN_PROCEDURE = /^(db|dbms|tx|cdc)\./;
const SEVERITY_ERROR = 1; // vscode-languageserver-types DiagnosticSeverity.Error

function usage(message) {
  if (message) process.stderr.write(`lint.mjs: ${message}\n`);
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && entry.name.endsWith('.cypher')) out.push(full);
  }
  return out;
}

const posix = (p) => p.split(path.sep).join('/');

/** [{rel, abs}] of the Neo4j-dialect catalogue, sorted by rel. */
function collect(root) {
  const base = new Map(); // rel -> abs
  const neo4j = [];       // [rel inside neo4j/, rel, abs]
  for (const abs of walk(root)) {
    const rel = posix(path.relative(root, abs));
    const [top, ...rest] = rel.split('/');
    if (rest.length && DIALECTS.has(top)) {
      if (top === 'neo4j') neo4j.push([rest.join('/'), rel, abs]);
      continue;
    }
    base.set(rel, abs);
  }
  const result = new Map(base); // key: the base rel it stands for
  const shown = new Map([...base.keys()].map((k) => [k, k]));
  for (const [inner, rel, abs] of neo4j) {
    let key = inner;
    if (!base.has(key)) {
      const name = path.posix.basename(inner);
      const same = [...base.keys()].filter((k) => path.posix.basename(k) === name);
      if (same.length === 1) key = same[0];
    }
    result.set(key, abs);
    shown.set(key, rel);
  }
  return [...result.keys()].sort().map((k) => ({ rel: shown.get(k), abs: result.get(k) }));
}

function builtinSchema() {
  const mock = cypher.testData?.mockSchema;
  if (!mock?.functions || !mock?.procedures) {
    process.stderr.write('lint.mjs: this @neo4j-cypher/language-support has no built-in function list; '
      + 'unknown functions and procedures are not checked\n');
    return { defaultLanguage: 'CYPHER 5' };
  }
  const functions = {};
  const procedures = {};
  for (const v of CYPHER_VERSIONS) {
    functions[v] = Object.fromEntries(Object.entries(mock.functions[v] ?? {})
      .filter(([, f]) => f.isBuiltIn));
    procedures[v] = Object.fromEntries(Object.entries(mock.procedures[v] ?? {})
      .filter(([name]) => BUILTIN_PROCEDURE.test(name)));
  }
  return { defaultLanguage: 'CYPHER 5', functions, procedures };
}

function lintFile(text, schema) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!text.trim()) {
    return [{ severity: SEVERITY_ERROR, line: 1, column: 1, message: 'Empty file: expected a Cypher statement' }];
  }
  let diagnostics;
  try {
    ({ diagnostics } = cypher.lintCypherQuery(text, schema, { consoleCommandsEnabled: false }));
  } catch (e) {
    return [{ severity: SEVERITY_ERROR, line: 1, column: 1, message: `The linter failed on this file: ${e?.message ?? e}` }];
  }
  const seen = new Set();
  const out = [];
  for (const d of diagnostics.filter(cypher.isNotParamError)) {
    const item = {
      severity: d.severity ?? SEVERITY_ERROR,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      message: d.message,
    };
    const key = `${item.line}:${item.column}:${item.message}`;
    if (!seen.has(key)) { seen.add(key); out.push(item); }
  }
  return out;
}

function main(argv) {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '-h' || args[0] === '--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.length !== 1) usage(args.length ? 'expected exactly one argument' : 'missing <cypher-root-dir>');
  if (args[0].startsWith('-')) usage(`unknown option ${args[0]}`);
  const root = path.resolve(args[0]);
  let isDir = false;
  try { isDir = statSync(root).isDirectory(); } catch { /* reported below */ }
  if (!isDir) usage(`not a directory: ${args[0]}`);

  const schema = builtinSchema();
  const files = collect(root);
  const errors = [];
  const warnings = [];
  for (const { rel, abs } of files) {
    for (const d of lintFile(readFileSync(abs, 'utf8'), schema)) {
      const entry = { file: rel, line: d.line, column: d.column, message: d.message };
      (d.severity === SEVERITY_ERROR ? errors : warnings).push(entry);
    }
  }
  process.stdout.write(`${JSON.stringify({ files: files.length, errors, warnings }, null, 2)}\n`);
  return errors.length ? 1 : 0;
}

process.exitCode = main(process.argv);

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import of one file: where it points (repo-relative, or the package name) and how. */
export interface ImportEdge {
  from: string;
  /** Repo-relative path of the file imported, or null for a package. */
  to: string | null;
  specifier: string;
  typeOnly: boolean;
}

export interface FileFacts {
  path: string;
  imports: ImportEdge[];
  /** The string literals of the file's code (module specifiers left out), with their line. */
  strings: { text: string; line: number }[];
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** Parses one file's imports and string literals with the TypeScript compiler. */
export function factsOf(root: string, path: string, text: string): FileFacts {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports: ImportEdge[] = [];
  const strings: FileFacts['strings'] = [];
  const specifiers = new Set<ts.Node>();
  const add = (spec: ts.Expression | undefined, typeOnly: boolean): void => {
    if (!spec || !ts.isStringLiteral(spec)) return;
    specifiers.add(spec);
    const s = spec.text;
    const to = s.startsWith('.') ? relative(root, resolve(dirname(join(root, path)), s)).split(sep).join('/') : null;
    imports.push({ from: path, to, specifier: s, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, isTypeOnlyImport(node));
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal as ts.Expression, true);
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && !specifiers.has(node)) {
      strings.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { path, imports, strings };
}

const SKIP = new Set(['node_modules', '.git', 'data', 'out', 'dist', 'coverage']);

/** Every .ts file under the given top folders, repo-relative with forward slashes. */
export function tsFiles(root: string, tops: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir))) {
      if (SKIP.has(name)) continue;
      const rel = `${dir}/${name}`;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(rel);
    }
  };
  for (const top of tops) {
    try {
      if (statSync(join(root, top)).isDirectory()) walk(top);
    } catch {
      // A top folder this checkout does not have.
    }
  }
  return out.sort();
}

export function readFacts(root: string, files: readonly string[]): FileFacts[] {
  return files.map((f) => factsOf(root, f, readFileSync(join(root, f), 'utf8')));
}

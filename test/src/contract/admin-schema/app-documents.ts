import { relative } from 'node:path';
import { Kind, parse, visit } from 'graphql';
import { API, type Checker, type Project } from 'typescript/unstable/sync';
import {
  isArrowFunction,
  isBinaryExpression,
  isBlock,
  isCallExpression,
  isFunctionDeclaration,
  isFunctionExpression,
  isIdentifier,
  isNoSubstitutionTemplateLiteral,
  isNumericLiteral,
  isObjectLiteralExpression,
  isParameterDeclaration,
  isParenthesizedExpression,
  isPropertyAccessExpression,
  isPropertyAssignment,
  isReturnStatement,
  isShorthandPropertyAssignment,
  isStringLiteral,
  isTemplateExpression,
  isVariableDeclaration,
  SyntaxKind,
  type CallExpression,
  type Expression,
  type Node,
  type SourceFile,
} from 'typescript/unstable/ast';

/**
 * Finds every GraphQL document a package sends to Shopify, from its TypeScript source, with the TypeScript 7 API
 * (`typescript/unstable/sync`: the compiler's own parser and type checker).
 *
 * A **call site** is a `.request(...)` or `.query(...)` call on a value typed as one of {@link CLIENT_TYPES}. Each
 * call site's first argument must lead (through `const`s and imports) to a **document**: a string or template literal
 * that starts with `#graphql` or follows a `/* GraphQL *\/` comment. Documents are built from constants and small pure
 * functions (`orderNodeFields('(first: 10)')`), so their text is computed here by evaluating those expressions, not by
 * running the app. When a call site's document runs `bulkOperationRunQuery(query: $var)`, the `$var` property of its
 * variables object must lead to a marked document too: the bulk query, which Shopify parses against the same schema.
 *
 * Nothing is skipped quietly: a call site whose document cannot be traced, an expression that cannot be evaluated, a
 * marked literal that no call site sends, and a `#graphql`/`/* GraphQL *\/` marker in the text that the parser did
 * not see as a document all end up in {@link DocumentScan.problems}.
 */

/** Types whose `request`/`query` methods send GraphQL to Shopify: the app's client and `@shopify/shopify-api`'s. */
export const CLIENT_TYPES: readonly string[] = ['ShopGraphql', 'GraphqlClient'];

/**
 * Where the app's client forwards what its callers pass (`client.request(query, ...)` with `query` a parameter): the
 * documents are traced at those callers instead.
 */
export const TRANSPORT_FILES: readonly string[] = ['shopify-app/src/shopify/graphql.ts'];

/** One GraphQL document in the source, with its text as sent. */
export interface FoundDocument {
  /** Repository-relative path, e.g. `shopify-app/src/sync/backfill.ts`. */
  file: string;
  /** 1-based line where the literal starts. */
  line: number;
  /** The document as sent, interpolations evaluated. */
  text: string;
  /** `operation`: sent as the query of a request; `bulk-query`: sent as `bulkOperationRunQuery`'s `query` argument. */
  role: 'operation' | 'bulk-query';
}

/** One `.request`/`.query` call on a GraphQL client. */
export interface CallSite {
  file: string;
  line: number;
  /** Type of the receiver, one of {@link CLIENT_TYPES}. */
  client: string;
  /** The documents it sends (its query, plus a bulk query passed in its variables); empty for the transport. */
  documents: FoundDocument[];
}

export interface DocumentScan {
  documents: FoundDocument[];
  callSites: CallSite[];
  /** Each thing the scan could not account for, as `file:line: what and what to do`. Empty when all is traced. */
  problems: string[];
}

/** Options of {@link scanGraphqlDocuments}. */
export interface ScanOptions {
  /** Repository root (absolute). */
  root: string;
  /** tsconfig of the project to load, relative to `root`, e.g. `shopify-app/tsconfig.json`. */
  tsconfig: string;
  /** Which source files to scan, given their repository-relative path. */
  include: (file: string) => boolean;
}

const MARKER_COMMENT = /\/\*\s*GraphQL\s*\*\/\s*$/;
const MARKER_TEXT = /^\s*#graphql\b/;
/** Marker counts in the raw text, to cross-check the parser (a literal it failed to see would otherwise vanish). */
const RAW_MARKERS = /#graphql\b|\/\*\s*GraphQL\s*\*\//g;
/** Doc comments and whole-line comments, which may mention the markers without marking anything. */
const PROSE_COMMENTS = /\/\*\*[\s\S]*?\*\/|^\s*\/\/.*$/gm;

type Value = string | number;

class ScanProblem extends Error {
  override name = 'ScanProblem';
}

/** Scans the files of one TypeScript project. See the module comment for the rules. */
export function scanGraphqlDocuments(options: ScanOptions): DocumentScan {
  const api = new API({ cwd: options.root });
  try {
    const snapshot = api.updateSnapshot({ openProject: options.tsconfig });
    const project = snapshot.getProjects()[0];
    if (!project) throw new Error(`TypeScript found no project for ${options.tsconfig}`);
    return scanProject(project, options);
  } finally {
    api.close();
  }
}

function scanProject(project: Project, options: ScanOptions): DocumentScan {
  const checker = project.checker;
  const rel = (path: string): string => relative(options.root, path);
  const files = project.program
    .getSourceFileNames()
    .filter((f) => options.include(rel(f)))
    .map((f) => project.program.getSourceFile(f))
    .filter((f): f is SourceFile => f !== undefined);

  const problems: string[] = [];
  const where = (node: Node): { file: string; line: number } => {
    const sf = node.getSourceFile();
    return { file: rel(sf.fileName), line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 };
  };
  const at = (node: Node): string => {
    const w = where(node);
    return `${w.file}:${w.line}`;
  };

  // 1. Marked literals and candidate calls, from the syntax tree.
  const marked: Node[] = [];
  const calls: { call: CallExpression; receiver: Expression }[] = [];
  for (const sf of files) {
    let markers = 0;
    const walk = (node: Node): void => {
      if (isLiteralText(node) && isMarked(node, sf)) marked.push(node);
      if (isCallExpression(node) && isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        if (method === 'request' || method === 'query') calls.push({ call: node, receiver: node.expression.expression });
      }
      node.forEachChild(walk);
    };
    walk(sf);
    for (const node of marked)
      if (node.getSourceFile() === sf) markers += sf.text.slice(node.pos, node.end).replace(PROSE_COMMENTS, '').match(RAW_MARKERS)?.length ?? 0;
    const raw = sf.text.replace(PROSE_COMMENTS, '').match(RAW_MARKERS)?.length ?? 0;
    if (raw !== markers) {
      problems.push(
        `${rel(sf.fileName)}: the text has ${raw} #graphql or /* GraphQL */ markers but the marked string literals found hold ${markers}; ` +
          'a marker must open a string or template literal (`#graphql` as its first text) or directly precede one.',
      );
    }
  }

  // 2. Which calls are on a GraphQL client (one batched checker round trip).
  const receiverTypes = calls.length === 0 ? [] : checker.getTypeAtLocation(calls.map((c) => c.receiver));
  const documents = new Map<Node, FoundDocument>();
  const documentOf = (literal: Node, role: FoundDocument['role']): FoundDocument => {
    const known = documents.get(literal);
    if (known) {
      if (known.role !== role) problems.push(`${at(literal)}: the same document is sent both as a request and as a bulk query`);
      return known;
    }
    const doc: FoundDocument = { ...where(literal), text: String(evaluate(literal, new Map(), checker, at)), role };
    documents.set(literal, doc);
    return doc;
  };

  const inlineBulk: FoundDocument[] = [];
  const callSites: CallSite[] = [];
  for (const [i, { call }] of calls.entries()) {
    const type = receiverTypes[i];
    const client = type ? checker.typeToString(checker.getNonNullableType(type) ?? type) : '';
    if (!CLIENT_TYPES.includes(client)) continue;
    const site: CallSite = { ...where(call), client, documents: [] };
    callSites.push(site);
    try {
      const first = call.arguments[0];
      if (!first) throw new ScanProblem(`${at(call)}: ${client} call without a document`);
      if (TRANSPORT_FILES.includes(site.file) && isIdentifier(first) && declarationOf(first, checker) === 'parameter') continue;
      const literal = traceToLiteral(first, checker, at);
      if (!isMarked(literal, literal.getSourceFile()) && !isLiteralText(first)) {
        throw new ScanProblem(`${at(literal)}: the document sent at ${at(call)} has no #graphql marker; start it with #graphql`);
      }
      const doc = documentOf(literal, 'operation');
      site.documents.push(doc);
      for (const bulk of bulkQueriesOf(doc, call, checker, at)) {
        if (bulk.kind === 'variable') site.documents.push(documentOf(bulk.literal, 'bulk-query'));
        else {
          const inline: FoundDocument = { ...doc, text: bulk.text, role: 'bulk-query' };
          inlineBulk.push(inline);
          site.documents.push(inline);
        }
      }
    } catch (error) {
      if (!(error instanceof ScanProblem)) throw error;
      problems.push(error.message);
    }
  }

  // 3. Every marked literal is sent somewhere (else the scan missed its call site, or it is dead code).
  for (const literal of marked) {
    if (!documents.has(literal)) {
      problems.push(
        `${at(literal)}: marked GraphQL document not sent by any ${CLIENT_TYPES.join('/')} .request/.query call the scan could trace ` +
          '(pass the constant itself as the first argument, or as the bulk query variable); remove the marker if it is not a document.',
      );
    }
  }
  return { documents: [...documents.values(), ...inlineBulk], callSites, problems };
}

/** A string/template literal node (the forms a document can take). */
function isLiteralText(node: Node): boolean {
  return isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node) || isTemplateExpression(node);
}

function isMarked(node: Node, sf: SourceFile): boolean {
  let head: string;
  if (isTemplateExpression(node)) head = node.head.text;
  else if (isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node)) head = node.text;
  else return false;
  return MARKER_TEXT.test(head) || MARKER_COMMENT.test(sf.text.slice(node.pos, node.getStart(sf)));
}

/** What an identifier refers to, through imports: its declaration node, or `parameter`. */
function declarationOf(id: Node, checker: Checker): Node | 'parameter' | undefined {
  let symbol = checker.getSymbolAtLocation(id);
  if (symbol && symbol.declarations.some((d) => d.kind === SyntaxKind.ImportSpecifier)) symbol = checker.getAliasedSymbol(symbol);
  const handle = symbol?.valueDeclaration ?? symbol?.declarations[0];
  if (!handle) return undefined;
  const decl = handle.resolve();
  if (decl && isParameterDeclaration(decl)) return 'parameter';
  return decl;
}

/** Follows identifiers to the string literal a value comes from. */
function traceToLiteral(expr: Node, checker: Checker, at: (n: Node) => string): Node {
  if (isLiteralText(expr)) return expr;
  if (isParenthesizedExpression(expr)) return traceToLiteral(expr.expression, checker, at);
  if (isIdentifier(expr)) {
    const decl = declarationOf(expr, checker);
    if (decl === 'parameter') {
      throw new ScanProblem(`${at(expr)}: the document is the parameter ${expr.text}; send a #graphql constant directly so it can be checked`);
    }
    if (decl && isVariableDeclaration(decl) && decl.initializer) return traceToLiteral(decl.initializer, checker, at);
    throw new ScanProblem(`${at(expr)}: cannot trace ${expr.text} to a string constant`);
  }
  throw new ScanProblem(`${at(expr)}: the document is a ${SyntaxKind[expr.kind]}; send a #graphql constant directly so it can be checked`);
}

type BulkQuery = { kind: 'inline'; text: string } | { kind: 'variable'; literal: Node };

/** The bulk queries a call sends: `bulkOperationRunQuery(query:)` inline strings or variables from its object literal. */
function bulkQueriesOf(doc: FoundDocument, call: CallExpression, checker: Checker, at: (n: Node) => string): BulkQuery[] {
  let ast;
  try {
    ast = parse(doc.text);
  } catch {
    return []; // a syntax error is reported by validation, with its location
  }
  const found: BulkQuery[] = [];
  visit(ast, {
    Field(field) {
      if (field.name.value !== 'bulkOperationRunQuery') return;
      const arg = field.arguments?.find((a) => a.name.value === 'query');
      if (arg?.value.kind === Kind.STRING) found.push({ kind: 'inline', text: arg.value.value });
      if (arg?.value.kind !== Kind.VARIABLE) return;
      const name = arg.value.name.value;
      const variables = call.arguments[1];
      const prop =
        variables && isObjectLiteralExpression(variables)
          ? variables.properties.find((p) => (isPropertyAssignment(p) || isShorthandPropertyAssignment(p)) && isIdentifier(p.name) && p.name.text === name)
          : undefined;
      if (!prop) {
        throw new ScanProblem(`${at(call)}: cannot find the bulk query variable $${name} in an object literal passed as the variables`);
      }
      const value = isPropertyAssignment(prop) ? prop.initializer : (prop as { name: Node }).name;
      const literal = traceToLiteral(value, checker, at);
      if (!isMarked(literal, literal.getSourceFile())) {
        throw new ScanProblem(`${at(literal)}: bulk query sent at ${at(call)} has no marker; put /* GraphQL */ before it`);
      }
      found.push({ kind: 'variable', literal });
    },
  });
  return found;
}

/**
 * The value of a document expression: literals, template strings, `+ - * /`, `const`s (also imported ones) and calls
 * of functions whose body is one `return` (or an arrow's expression), with their parameters bound. Anything else is a
 * {@link ScanProblem} naming the expression.
 */
function evaluate(node: Node, env: Map<string, Value>, checker: Checker, where: (n: Node) => string): Value {
  const at = (): string => where(node);
  const ev = (n: Node, e: Map<string, Value>): Value => evaluate(n, e, checker, where);
  if (isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (isNumericLiteral(node)) return Number(node.text);
  if (isTemplateExpression(node)) {
    return node.head.text + node.templateSpans.map((s) => String(ev(s.expression, env)) + s.literal.text).join('');
  }
  if (isParenthesizedExpression(node)) return ev(node.expression, env);
  if (isBinaryExpression(node)) {
    const l = ev(node.left, env);
    const r = ev(node.right, env);
    switch (node.operatorToken.kind) {
      case SyntaxKind.PlusToken:
        return typeof l === 'number' && typeof r === 'number' ? l + r : String(l) + String(r);
      case SyntaxKind.MinusToken:
        return Number(l) - Number(r);
      case SyntaxKind.AsteriskToken:
        return Number(l) * Number(r);
      case SyntaxKind.SlashToken:
        return Number(l) / Number(r);
    }
  }
  if (isIdentifier(node)) {
    const bound = env.get(node.text);
    if (bound !== undefined) return bound;
    const decl = declarationOf(node, checker);
    if (decl && decl !== 'parameter' && isVariableDeclaration(decl) && decl.initializer) return ev(decl.initializer, new Map());
    throw new ScanProblem(`${at()}: cannot evaluate ${node.text}: not a constant with an initializer`);
  }
  if (isCallExpression(node) && isIdentifier(node.expression)) {
    let fn = declarationOf(node.expression, checker);
    if (fn && fn !== 'parameter' && isVariableDeclaration(fn) && fn.initializer) fn = fn.initializer;
    if (fn && fn !== 'parameter' && (isFunctionDeclaration(fn) || isArrowFunction(fn) || isFunctionExpression(fn)) && fn.body) {
      const bindings = new Map<string, Value>();
      for (const [i, param] of fn.parameters.entries()) {
        if (!isIdentifier(param.name)) throw new ScanProblem(`${at()}: cannot evaluate a call with a destructured parameter`);
        const arg = node.arguments[i] ?? param.initializer;
        if (!arg) throw new ScanProblem(`${at()}: missing argument ${param.name.text}`);
        bindings.set(param.name.text, ev(arg, env));
      }
      const body = fn.body;
      if (!isBlock(body)) return ev(body, bindings);
      const [only] = body.statements;
      if (body.statements.length === 1 && only && isReturnStatement(only) && only.expression) return ev(only.expression, bindings);
    }
    throw new ScanProblem(`${at()}: cannot evaluate the call of ${node.expression.text}: keep document builders to one return of a template`);
  }
  throw new ScanProblem(`${at()}: cannot evaluate a ${SyntaxKind[node.kind]} in a GraphQL document; build documents from constants`);
}
